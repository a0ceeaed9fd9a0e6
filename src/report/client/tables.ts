/** The verdict, the problems, the per-agent summary and the per-dataset table. */
export const TABLES_JS = String.raw`
function table(head, rows, cls) {
  var t = el('table', cls || '');
  var thead = el('thead');
  var tr = el('tr');
  head.forEach(function (h) { tr.appendChild(el('th', '', h)); });
  append(t, append(thead, tr));
  var tbody = el('tbody');
  rows.forEach(function (r) {
    var row = el('tr');
    r.forEach(function (c) {
      if (c && typeof c === 'object' && c.nodeType) { var td = el('td'); td.appendChild(c); row.appendChild(td); }
      else row.appendChild(el('td', '', c));
    });
    tbody.appendChild(row);
  });
  return append(t, tbody);
}
function renderVerdict(data) {
  var box = document.getElementById('verdict');
  if (data.kind !== 'match') {
    var m = data.agents[0].metrics;
    var single = el('div', 'verdict-main', data.agents[0].label + ': ' + fmt(m.total_score, 2) + ' / ' + fmt(m.max_score, 2) + ' (' + pct(m.accuracy) + ')');
    single.id = 'verdict-main';
    append(box, single);
    return;
  }
  var c = data.match.comparison;
  var winner = c.leader === 'tie' ? null : data.agents[c.leader === 'champion' ? 0 : 1];
  var head = winner ? (c.significant ? 'Winner: ' + winner.label : 'Ahead: ' + winner.label + ' (not significant)') : 'Tie';
  var main = el('div', 'verdict-main ' + (c.significant ? 'significant' : 'not-significant'), head);
  main.id = 'verdict-main';
  append(box, main, el('div', 'verdict-text', c.verdict));
}
function renderProblems(data) {
  var problems = data.match ? data.match.problems : [];
  var statuses = data.agents.filter(function (a) { return a.metrics.status !== 'finished'; });
  if (!data.match) statuses.forEach(function (a) { problems = problems.concat([a.label + ' run is ' + a.metrics.status]); });
  var box = document.getElementById('problems');
  problems.forEach(function (p) { box.appendChild(el('div', 'problem', p)); });
}
function renderSummary(data) {
  var rows = [
    ['Status', function (m) { return m.status; }],
    ['Score', function (m) { return fmt(m.total_score, 2) + ' / ' + fmt(m.max_score, 2); }],
    ['Accuracy', function (m) { return pct(m.accuracy); }],
    ['Tests', function (m) { return m.tests; }],
    // A listed dataset skipped for want of its data: the score is not the whole benchmark's.
    ['Datasets', function (m) { return m.coverage_note || 'all listed'; }],
    // issue 22: tests not answered (a scored call failed) or not judged are named, never passed off as wrong answers.
    ['Tests errored (not answered) / judge errors', function (m) { return (m.tests_errored || 0) + ' / ' + (m.tests_judge_error || 0); }],
    // issue 25: tests GoodAI's LLM judge scores, left without a score (not in the score above) for want of one.
    ['Tests unscored (need a judge: --judge-config)', function (m) { return fmt(m.tests_unscored || 0, 0); }],
    ['Turns (failed)', function (m) { return fmt(m.turns, 0) + ' (' + m.errors + ')' + (m.attempts !== undefined && m.attempts !== m.turns ? ', ' + fmt(m.attempts, 0) + ' attempts' : ''); }],
    ['Replies cut at max_tokens', function (m) { return fmt(m.turns_truncated || 0, 0); }],
    // issue 22: model calls only; pre-filled turns and failed calls are left out and counted.
    ['Latency avg / p50 / p95 (ms, model calls)', function (m) { return fmt(m.avg_latency_ms) + ' / ' + fmt(m.latency_p50_ms) + ' / ' + fmt(m.latency_p95_ms) + (m.latency_excluded ? ' (' + fmt(m.latency_calls, 0) + ' calls; left out: ' + m.latency_excluded.prefilled + ' pre-filled, ' + m.latency_excluded.failed + ' failed)' : ''); }],
    ['Output tokens/s: decode / end-to-end', function (m) { return fmt(m.decode_tokens_per_s) + ' / ' + fmt(m.tokens_per_s); }],
    ['TTFT p50 (ms)', function (m) { return fmt(m.ttft_p50_ms); }],
    ['Tokens in / out', function (m) { return tokensInOut(m); }],
    ['Cost (USD)', function (m) { return m.pricing_source === 'unknown' ? 'unknown' : '$' + m.token_cost.toFixed(4) + ' (' + m.pricing_source + ')'; }],
    ['Turns with metadata', function (m) { return m.metadata_events; }],
    ['Duration (s)', function (m) { return fmt(Math.round(m.duration_s * 10) / 10, 1); }],
    ['Model', function (m) { return m.model || '–'; }],
    ['Run id', function (m) { return m.run_id; }]
  ];
  var head = ['Metric'].concat(data.agents.map(function (a) { return a.label + ' (' + a.role + ')'; }));
  document.getElementById('summary').appendChild(table(head, rows.map(function (r) {
    return [r[0]].concat(data.agents.map(function (a) { return r[1](a.metrics); }));
  }), 'summary-table'));
}
function renderDatasets(data) {
  var box = document.getElementById('datasets');
  var names = {};
  data.agents.forEach(function (a) { Object.keys(a.metrics.per_dataset).forEach(function (d) { names[d] = true; }); });
  var datasets = Object.keys(names).sort();
  function cell(a, d) {
    var s = a.metrics.per_dataset[d];
    return s ? fmt(s.score, 2) + ' / ' + fmt(s.max_score, 2) + ' (' + pct(s.accuracy) + ')' : '–';
  }
  if (data.kind !== 'match') {
    box.appendChild(table(['Dataset', 'Score', 'Tests', 'Accuracy'], datasets.map(function (d) {
      var s = data.agents[0].metrics.per_dataset[d];
      return [d, fmt(s.score, 2) + ' / ' + fmt(s.max_score, 2), s.tests, pct(s.accuracy)];
    }), 'dataset-table'));
    return;
  }
  var per = data.match.comparison.per_dataset;
  box.appendChild(table(['Dataset', data.agents[0].label, data.agents[1].label, 'B − A (points)', (data.match.settings.confidence * 100) + '% CI', 'p', 'Significant'], datasets.map(function (d) {
    var c = per[d];
    return [d, cell(data.agents[0], d), cell(data.agents[1], d),
      c ? fmt(c.diff_points) : '–',
      c ? fmt(c.ci_low_points) + ' .. ' + fmt(c.ci_high_points) : '–',
      c ? pValue(c.p_value) : '–',
      c ? (c.significant ? 'yes' : 'no') : '–'];
  }), 'dataset-table'));
}
`;
