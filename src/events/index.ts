/**
 * The one event stream (DESIGN.md, issue 13): event and hook types, the
 * Reporter interface every output implements, and the sanitizing of what a
 * model wrote before it is recorded. Below both runner/ and artifacts/: it
 * imports neither (artifact record shapes only, as types).
 */
export * from './reporter.js';
export * from './turn-step.js';
export * from './emit.js';
export * from './sanitize.js';
