import { ACCORDION_JS } from './accordion.js';
import { DOM_JS } from './dom.js';
import { JSON_TREE_JS } from './json-tree.js';
import { RADAR_JS } from './radar.js';
import { TABLES_JS } from './tables.js';

/** The page's one application script: the modules above in one scope, then the render calls. */
export function clientScript(): string {
  return [
    '(function () {',
    "'use strict';",
    DOM_JS,
    JSON_TREE_JS,
    TABLES_JS,
    RADAR_JS,
    ACCORDION_JS,
    "var data = JSON.parse(document.getElementById('report-data').textContent);",
    'renderVerdict(data);',
    'renderProblems(data);',
    'renderSummary(data);',
    'renderRadar(data);',
    'renderDatasets(data);',
    'renderTests(data);',
    "document.body.setAttribute('data-rendered', 'true');",
    '})();',
  ].join('\n');
}
