/** Moved to src/events/ (issue 13); this re-export keeps older imports compiling. */
export * from '../events/sanitize.js';
