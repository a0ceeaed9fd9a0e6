/** A collapsible JSON tree built from DOM nodes (keys and values as text). */
export const JSON_TREE_JS = String.raw`
function jsonTree(value, key, depth) {
  var isObj = value !== null && typeof value === 'object';
  if (!isObj) {
    var leaf = el('div', 'jt-leaf');
    if (key !== undefined) append(leaf, el('span', 'jt-key', key), el('span', 'jt-sep', ': '));
    var kind = value === null ? 'null' : typeof value;
    append(leaf, el('span', 'jt-' + kind, kind === 'string' ? JSON.stringify(value) : String(value)));
    return leaf;
  }
  var entries = Array.isArray(value) ? value.map(function (v, i) { return [String(i), v]; }) : Object.keys(value).map(function (k) { return [k, value[k]]; });
  var node = el('details', 'jt-node');
  if ((depth || 0) < 2) node.open = true;
  var summary = el('summary', 'jt-summary');
  if (key !== undefined) append(summary, el('span', 'jt-key', key), el('span', 'jt-sep', ': '));
  append(summary, el('span', 'jt-type', Array.isArray(value) ? '[' + entries.length + ']' : '{' + entries.length + '}'));
  node.appendChild(summary);
  var body = el('div', 'jt-children');
  entries.forEach(function (e) { body.appendChild(jsonTree(e[1], e[0], (depth || 0) + 1)); });
  node.appendChild(body);
  return node;
}
`;
