/**
 * The turn-by-turn accordion: one group per test, one row per turn (the user
 * message and each agent's answer, coloured by correctness); a row opens to
 * each answer's metadata as a JSON tree. Rows are built when a test opens, so
 * a long run's page stays light.
 */
export const ACCORDION_JS = String.raw`
var VERDICT_TEXT = { pass: 'correct', partial: 'partly correct', fail: 'wrong', error: 'error (not answered)', judge_error: 'judge error (not scored)', unscored: 'unscored: needs judge', none: '' };
// issue 22: a test not answered (a scored call failed) or not judged says so instead of a score; issue 25: so does one left for a judge.
function scoreText(s) { return !s ? 'not scored' : s.status === 'error' ? 'error: not answered' : s.status === 'judge_error' ? 'judge error: not scored' : s.status === 'unscored' || s.score === null ? 'unscored: needs judge' : fmt(s.score, 2) + '/' + fmt(s.max_score, 2); }
function scoreClass(s) { return !s ? 'v-none' : s.status ? 'v-error' : s.max_score > 0 && s.score >= s.max_score ? 'v-pass' : s.score > 0 ? 'v-partial' : 'v-fail'; }
function answerCell(a, agent) {
  var cell = el('div', 'answer ' + (a ? 'v-' + a.verdict : 'v-missing'));
  cell.setAttribute('data-agent', agent.role);
  if (!a) { cell.textContent = '(no turn)'; return cell; }
  cell.appendChild(el('div', 'answer-text', a.text === '' && a.status === 'error' ? '(no reply: ' + (a.reason || 'error') + ')' : a.text));
  if (VERDICT_TEXT[a.verdict]) cell.appendChild(el('div', 'answer-verdict', VERDICT_TEXT[a.verdict]));
  if (a.truncated) cell.appendChild(el('div', 'answer-verdict', 'cut at max_tokens (finish_reason length)'));
  return cell;
}
function turnRow(turn, data) {
  var row = el('details', 'turn' + (turn.is_question ? ' question' : ''));
  var summary = el('summary', 'turn-summary');
  summary.style.gridTemplateColumns = '3.5em minmax(0, 1.2fr)' + ' minmax(0, 1fr)'.repeat(data.agents.length);
  append(summary, el('div', 'turn-index', '#' + turn.index), el('div', 'turn-user', turn.user));
  turn.answers.forEach(function (a, i) { summary.appendChild(answerCell(a, data.agents[i])); });
  row.appendChild(summary);
  row.addEventListener('toggle', function () {
    if (!row.open || row.querySelector('.turn-details')) return;
    var details = el('div', 'turn-details');
    turn.answers.forEach(function (a, i) {
      var side = el('div', 'meta-side');
      side.appendChild(el('h4', '', data.agents[i].label));
      if (a) {
        var info = { status: a.status, metrics: a.metrics, metadata: a.metadata };
        if (a.reason) info.reason = a.reason;
        side.appendChild(jsonTree(info, undefined, 0));
      } else side.appendChild(el('p', 'note', 'This agent never reached this turn.'));
      details.appendChild(side);
    });
    row.appendChild(details);
  });
  return row;
}
function testGroup(test, data) {
  var group = el('details', 'test');
  group.setAttribute('data-test-id', test.test_id);
  var summary = el('summary', 'test-summary');
  append(summary, el('span', 'test-id', test.test_id), el('span', 'test-dataset', test.dataset));
  test.scores.forEach(function (s, i) {
    summary.appendChild(el('span', 'badge ' + scoreClass(s), (data.agents.length > 1 ? ['A', 'B'][i] + ' ' : '') + scoreText(s)));
  });
  summary.appendChild(el('span', 'test-turns', test.turns.length + ' turns'));
  group.appendChild(summary);
  group.addEventListener('toggle', function () {
    if (!group.open || group.querySelector('.test-body')) return;
    var body = el('div', 'test-body');
    test.scores.forEach(function (s, i) {
      if (s && s.reasons.length) body.appendChild(el('div', 'reasons', data.agents[i].label + ': ' + s.reasons.join(' ')));
    });
    var head = el('div', 'turn-head');
    head.style.gridTemplateColumns = '3.5em minmax(0, 1.2fr)' + ' minmax(0, 1fr)'.repeat(data.agents.length);
    append(head, el('div', '', 'Turn'), el('div', '', 'User'));
    data.agents.forEach(function (a) { head.appendChild(el('div', '', a.label)); });
    body.appendChild(head);
    test.turns.forEach(function (t) { body.appendChild(turnRow(t, data)); });
    group.appendChild(body);
  });
  return group;
}
function renderTests(data) {
  var box = document.getElementById('tests');
  var list = el('div', 'test-list');
  var groups = data.tests.map(function (t) { return testGroup(t, data); });
  if (data.kind === 'match') {
    var label = el('label', 'filter');
    var box2 = el('input');
    box2.type = 'checkbox';
    box2.id = 'only-differ';
    append(label, box2, document.createTextNode(' only tests where A and B scored differently'));
    box2.addEventListener('change', function () {
      data.tests.forEach(function (t, i) {
        var a = t.scores[0], b = t.scores[1];
        var same = a && b && a.score === b.score && a.max_score === b.max_score;
        groups[i].hidden = box2.checked && same;
      });
    });
    box.appendChild(label);
  }
  groups.forEach(function (g) { list.appendChild(g); });
  box.appendChild(list);
  var filler = data.filler_turns.map(function (n, i) { return data.agents[i].label + ': ' + n; }).join(', ');
  box.appendChild(el('p', 'note', 'Filler turns (not part of any test) are left out here: ' + filler + '. Every turn is in transcripts.jsonl.'));
}
`;
