/** The report's stylesheet (no external fonts or assets: the file opens offline). */
export const REPORT_CSS = `
:root { --pass: #dcfce7; --pass-b: #16a34a; --fail: #fee2e2; --fail-b: #dc2626; --partial: #fef9c3; --partial-b: #ca8a04; --line: #e5e7eb; --muted: #6b7280; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #111827; background: #f9fafb; }
header, main > section, footer { max-width: 1280px; margin: 0 auto; padding: 12px 24px; }
header h1 { font-size: 20px; margin: 16px 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 16px; margin: 20px 0 8px; }
.verdict-main { font-size: 22px; font-weight: 600; }
.verdict-main.significant { color: #166534; }
.verdict-main.not-significant { color: #92400e; }
.verdict-text { color: #374151; margin-top: 4px; overflow-wrap: anywhere; }
.problem { background: var(--fail); border-left: 4px solid var(--fail-b); padding: 6px 10px; margin: 6px 0; overflow-wrap: anywhere; }
.note { color: var(--muted); font-size: 12px; }
.grid2 { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 24px; align-items: start; }
@media (max-width: 1000px) { .grid2 { grid-template-columns: minmax(0, 1fr); } }
table { border-collapse: collapse; background: #fff; width: 100%; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #f3f4f6; font-weight: 600; }
details.test { background: #fff; border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; }
summary.test-summary { cursor: pointer; padding: 8px 12px; display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
.test-id { font-weight: 600; }
.test-dataset, .test-turns { color: var(--muted); }
.badge { border-radius: 10px; padding: 1px 8px; font-size: 12px; border: 1px solid var(--line); }
.badge.v-pass { background: var(--pass); border-color: var(--pass-b); }
.badge.v-fail { background: var(--fail); border-color: var(--fail-b); }
.badge.v-error { background: var(--fail); border-color: var(--fail-b); font-style: italic; }
.badge.v-partial { background: var(--partial); border-color: var(--partial-b); }
.test-body { padding: 0 12px 12px; }
.reasons { color: #374151; font-size: 12px; margin: 2px 0; overflow-wrap: anywhere; }
.turn-head { display: grid; gap: 8px; font-weight: 600; color: var(--muted); padding: 6px 8px 2px; }
details.turn { border-top: 1px solid var(--line); }
summary.turn-summary { display: grid; gap: 8px; padding: 6px 8px; cursor: pointer; list-style: none; }
summary.turn-summary::-webkit-details-marker { display: none; }
details.turn[open] > summary { background: #f3f4f6; }
.turn-index { color: var(--muted); }
.turn-user, .answer-text { white-space: pre-wrap; overflow-wrap: anywhere; }
details.turn.question .turn-user { font-weight: 600; }
.answer { border-radius: 4px; padding: 4px 6px; border-left: 4px solid transparent; }
.answer.v-pass { background: var(--pass); border-left-color: var(--pass-b); }
.answer.v-fail, .answer.v-error, .answer.v-judge_error { background: var(--fail); border-left-color: var(--fail-b); }
.answer.v-partial { background: var(--partial); border-left-color: var(--partial-b); }
.answer.v-missing { color: var(--muted); font-style: italic; }
.answer-verdict { font-size: 11px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; }
.turn-details { display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)); gap: 12px; padding: 8px 8px 12px 4em; }
.meta-side h4 { margin: 0 0 4px; font-size: 13px; }
.jt-node > summary { cursor: pointer; }
.jt-children { padding-left: 16px; border-left: 1px dotted #d1d5db; }
.jt-leaf, .jt-node { font: 12px/1.5 ui-monospace, SFMono-Regular, Menlo, monospace; overflow-wrap: anywhere; white-space: pre-wrap; }
.jt-key { color: #7c3aed; }
.jt-string { color: #047857; }
.jt-number { color: #1d4ed8; }
.jt-boolean, .jt-null { color: #b45309; }
.jt-type { color: var(--muted); }
.filter { display: block; margin: 4px 0 8px; }
footer { color: var(--muted); font-size: 12px; padding-bottom: 32px; }
`;
