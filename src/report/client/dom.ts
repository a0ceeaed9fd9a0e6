/**
 * Browser code of the report, as source text inlined into the page. Rule for
 * every client module: untrusted text (anything from a run directory) reaches
 * the DOM only through textContent (the `el` helper), never innerHTML.
 */
export const DOM_JS = String.raw`
function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
function append(parent) {
  for (var i = 1; i < arguments.length; i++) if (arguments[i]) parent.appendChild(arguments[i]);
  return parent;
}
function fmt(x, digits) {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  var d = digits === undefined ? 1 : digits;
  return Number(x).toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: 0 });
}
function pct(x) { return fmt(x * 100, 1) + '%'; }
// issue 16: token counts that Referee counted itself (the server sent no usage) say so
function usageNote(source) { return source === 'estimated' ? ' (estimated)' : source === 'mixed' ? ' (partly estimated)' : ''; }
function tokensInOut(m) { return m.usage_source === 'unrecorded' ? 'not recorded' : fmt(m.tokens_in, 0) + ' / ' + fmt(m.tokens_out, 0) + usageNote(m.usage_source); }
function pValue(p) { return p < 0.0001 ? '<0.0001' : p < 0.01 ? p.toPrecision(2) : p.toFixed(3); }
`;
