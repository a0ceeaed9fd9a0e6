/* global document, location, URLSearchParams, EventSource */
// `referee view` (issue 17): runs, their samples and one sample's messages.
// Everything from a run directory, model text above all, goes on the page with textContent.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const token = new URLSearchParams(location.search).get('token');
  const api = (path, params) => {
    const q = new URLSearchParams(Object.entries(params || {}).filter(([, v]) => v !== '' && v !== undefined && v !== null));
    if (token) q.set('token', token);
    return `${path}?${q}`;
  };
  const PAGE = 50;
  const state = { run: null, offset: 0, total: 0 };

  function cell(tr, value, cls) {
    const td = document.createElement('td');
    td.textContent = value === null || value === undefined ? '—' : String(value);
    if (cls) td.className = cls;
    tr.append(td);
    return td;
  }
  const pct = (x) => (x === null || x === undefined ? '—' : `${Math.round(x * 100)}%`);
  // issue 21: a score as the terminal and the report print it (two decimals at most), never 0.3333333333333333.
  const score2 = (x) => Math.round(x * 100) / 100;
  const count = (n) => Math.round(Number(n) || 0).toLocaleString('en-US');

  // The runs as last fetched, by key; live events update these in place (issue 17).
  const runs = new Map();
  const runRows = new Map();

  function runRow(x) {
    const tr = document.createElement('tr');
    tr.className = 'run-row';
    tr.dataset.key = x.key;
    cell(tr, x.created_at ? new Date(x.created_at).toLocaleString() : null);
    cell(tr, x.run_id);
    cell(tr, x.kind);
    cell(tr, x.agent);
    cell(tr, (x.datasets || []).join(', '));
    cell(tr, x.status, `status-${x.status}`);
    cell(tr, x.loading ? 'loading…' : x.max_score ? `${score2(x.score)}/${x.max_score}` : null);
    cell(tr, pct(x.success_rate));
    cell(tr, x.tests_total ? `${x.tests_done}/${x.tests_total}` : null, 'run-done');
    // issue 21: the figures the terminal's last line and runstats.json give, formatted as they are there.
    cell(tr, x.loading ? null : `${x.turns_done}/${x.turns_total_estimated ? '~' : ''}${x.turns_total}`, 'run-turns');
    cell(tr, x.loading ? null : `${count(x.tokens_in)} / ${count(x.tokens_out)}`, 'run-tokens');
    cell(tr, x.loading ? null : x.pricing_source === 'unknown' ? 'unknown' : `$${Number(x.cost_usd || 0).toFixed(4)}`, 'run-cost');
    cell(tr, x.loading ? null : `${Number(x.elapsed_seconds || 0).toFixed(1)} s`, 'run-duration');
    tr.addEventListener('click', () => openRun(runs.get(x.key) || x));
    return tr;
  }

  async function loadRuns() {
    const r = await fetch(api('api/view/runs', { q: $('q').value.trim(), status: $('status').value, min_score: $('min-score').value }));
    if (!r.ok) return;
    const body = await r.json();
    fillCompareChoices(body.runs);
    const kind = $('kind').value;
    const shown = body.runs.filter((x) => !kind || x.kind === kind);
    for (const x of body.runs) runs.set(x.key, x);
    runRows.clear();
    $('runs-count').textContent = `${shown.length} of ${body.total}`;
    $('runs').replaceChildren(
      ...shown.map((x) => {
        const tr = runRow(x);
        runRows.set(x.key, tr);
        return tr;
      }),
    );
    if (state.run && runs.has(state.run.key)) {
      state.run = runs.get(state.run.key);
      showRunSummary();
      followRun();
    }
  }

  function showRunSummary() {
    const run = state.run;
    $('run-id').textContent = run.run_id;
    $('run-status').textContent = run.loading ? 'loading' : run.status;
    $('run-status').className = `status-${run.status}`;
    const turns = run.turns_total ? ` · ${run.turns_done}/${run.turns_total_estimated ? '~' : ''}${run.turns_total} turns` : '';
    $('run-summary').textContent = `${run.agent} · ${run.tests_done}/${run.tests_total} tests · ${pct(run.success_rate)} pass${turns} · $${Number(run.cost_usd || 0).toFixed(4)}`;
  }

  function openRun(run) {
    state.run = run;
    state.offset = 0;
    // Another run, its own samples: the filters start over.
    $('sample-status').value = '';
    $('sample-q').value = '';
    $('run').classList.remove('hidden');
    $('sample').classList.add('hidden');
    showRunSummary();
    $('export-csv').href = api('api/view/export', { run: run.key, format: 'csv' });
    $('export-json').href = api('api/view/export', { run: run.key, format: 'json' });
    followRun();
    void loadSamples();
  }

  async function loadSamples() {
    if (!state.run) return;
    const r = await fetch(api('api/view/samples', { run: state.run.key, status: $('sample-status').value, q: $('sample-q').value.trim(), offset: state.offset, limit: PAGE }));
    if (!r.ok) return;
    const body = await r.json();
    if (!state.run || body.run_id !== state.run.run_id) return; // another run was opened meanwhile
    state.total = body.total;
    $('page-info').textContent = body.total ? `${state.offset + 1}–${Math.min(state.offset + PAGE, body.total)} of ${body.total}` : 'no samples';
    sampleRows.clear();
    $('samples').replaceChildren(
      ...body.samples.map((s) => {
        const tr = sampleRow(s);
        sampleRows.set(s.test_id, { tr, sample: s });
        return tr;
      }),
    );
    $('samples').dataset.run = body.run_id;
    if (following && following.key === state.run.key) following.rebase(body);
  }

  // The samples on the page, by test id, for live updates in place.
  const sampleRows = new Map();
  function sampleRow(s) {
    const tr = document.createElement('tr');
    tr.className = 'sample-row';
    cell(tr, s.test_id);
    cell(tr, s.dataset);
    cell(tr, s.status, `status-${s.status === 'pass' ? 'finished' : s.status === 'fail' ? 'failed' : s.status}`);
    cell(tr, s.max_score === null ? null : `${score2(s.score)}/${s.max_score}`);
    cell(tr, s.turns);
    tr.addEventListener('click', () => openSample(s.test_id));
    return tr;
  }
  function updateSample(testId, change) {
    const row = sampleRows.get(testId);
    if (!row) return;
    Object.assign(row.sample, change(row.sample));
    const tr = sampleRow(row.sample);
    row.tr.replaceWith(tr);
    row.tr = tr;
  }

  async function openSample(testId) {
    const r = await fetch(api('api/view/sample', { run: state.run.key, test: testId }));
    if (!r.ok) return;
    const body = await r.json();
    const s = body.sample;
    $('sample').classList.remove('hidden');
    $('sample-id').textContent = s.test_id;
    $('sample-verdict').textContent = `${s.status.toUpperCase()} · score ${s.score === null || s.score === undefined ? '—' : score2(s.score)}/${s.max_score ?? '—'}${(s.reasons || []).length ? '\n' + s.reasons.join('\n') : ''}`;
    $('sample-turns').replaceChildren(
      ...body.turns.map((t) => {
        const div = document.createElement('div');
        div.className = 'turn';
        for (const [who, textValue] of [['User', t.user], ['Agent', t.agent]]) {
          const h = document.createElement('h4');
          h.textContent = `${who} · turn ${t.turn_id}`;
          const pre = document.createElement('pre');
          pre.className = `msg msg-${who.toLowerCase()}`;
          pre.textContent = textValue === undefined || textValue === null ? '' : String(textValue);
          div.append(h, pre);
        }
        return div;
      }),
    );
  }

  // A suite's agents x datasets matrix; a cell opens its run.
  async function loadMatrix() {
    const r = await fetch(api('api/view/matrix', { suite: $('suite').value }));
    if (!r.ok) return;
    const m = await r.json();
    $('matrix').classList.toggle('hidden', !m.suite);
    if (!m.suite) return;
    if ($('suite').options.length !== m.suites.length) {
      $('suite').replaceChildren(
        ...m.suites.map((name) => {
          const o = document.createElement('option');
          o.textContent = name;
          return o;
        }),
      );
      $('suite').value = m.suite;
    }
    const head = document.createElement('tr');
    for (const h of ['agent / dataset', ...m.datasets]) cell(head, h);
    $('matrix-head').replaceChildren(head);
    $('matrix-rows').replaceChildren(
      ...m.agents.map((agent) => {
        const tr = document.createElement('tr');
        cell(tr, agent);
        for (const d of m.datasets) {
          const c = m.cells.find((x) => x.agent === agent && x.dataset === d);
          const td = cell(tr, c ? `${pct(c.pass_rate)} (${c.pass}/${c.tests})` : null, c ? 'matrix-cell' : '');
          if (c) {
            td.dataset.run = c.run;
            td.addEventListener('click', async () => {
              // The list holds it unless a filter hides it; then it is looked up once.
              let run = runs.get(c.run);
              if (!run) run = (await (await fetch(api('api/view/runs', { limit: 1000 }))).json()).runs.find((x) => x.key === c.run);
              if (run) openRun(run);
            });
          }
        }
        return tr;
      }),
    );
  }

  // Side by side: the monitor's /compare over any two runs (the comparison report, live).
  function fillCompareChoices(runs) {
    for (const id of ['cmp-a', 'cmp-b']) {
      const sel = $(id);
      const keep = sel.value;
      if (sel.options.length === runs.length) continue;
      sel.replaceChildren(
        ...runs.map((x) => {
          const o = document.createElement('option');
          o.value = x.key;
          o.textContent = x.run_id;
          return o;
        }),
      );
      if (keep) sel.value = keep;
      else if (id === 'cmp-b' && runs.length > 1) sel.selectedIndex = 1;
    }
  }
  async function compare() {
    const r = await fetch(api('api/benchmark/compare', { runs: `${$('cmp-a').value},${$('cmp-b').value}` }));
    if (!r.ok) return;
    const c = (await r.json()).comparison;
    const num = (x, d) => (x === null || x === undefined ? null : Math.round(x * 10 ** d) / 10 ** d);
    const line = (label, a, b, delta) => {
      const tr = document.createElement('tr');
      for (const v of [label, a, b, delta]) cell(tr, v);
      return tr;
    };
    const rate = (s) => (s.max_score ? s.score / s.max_score : null);
    const p50 = (s) => s.metrics.latency_ms.p50;
    $('cmp-rows').replaceChildren(
      line('run', c.run_a.run_id, c.run_b.run_id, null),
      line('agent', c.run_a.agent, c.run_b.agent, null),
      line('score', `${num(c.run_a.score, 2)}/${c.run_a.max_score}`, `${num(c.run_b.score, 2)}/${c.run_b.max_score}`, num(c.delta.score, 2)),
      line('score rate', pct(rate(c.run_a)), pct(rate(c.run_b)), c.delta.score_rate === null ? null : `${Math.round(c.delta.score_rate * 100)} pts`),
      line('success rate', pct(c.run_a.success_rate), pct(c.run_b.success_rate), c.delta.success_rate === null ? null : `${Math.round(c.delta.success_rate * 100)} pts`),
      line('latency p50 (ms)', num(p50(c.run_a), 0), num(p50(c.run_b), 0), num(c.delta.latency_p50_ms, 0)),
      line('cost (USD)', num(c.run_a.cost_usd, 4), num(c.run_b.cost_usd, 4), num(c.delta.cost_usd, 4)),
    );
  }
  $('cmp-go').addEventListener('click', () => void compare());

  // Live runs move on over the monitor's own SSE stream (issue 17), not by polling:
  // the list follows every run's test and run events; an open run that is still
  // going also follows its turns, until its run_end.
  const stream = (params) => new EventSource(api('api/benchmark/telemetry/stream', { interval: 0, ...params }));
  const fresh = (run, ev) => {
    if (typeof ev.seq !== 'number' || ev.seq > run.last_seq) {
      if (typeof ev.seq === 'number') run.last_seq = ev.seq;
      return true;
    }
    return false; // already in the numbers the page fetched
  };
  let refetchTimer = null;
  const refetchSoon = () => {
    clearTimeout(refetchTimer);
    refetchTimer = setTimeout(() => {
      void loadRuns();
      void loadMatrix();
      if (state.run) void loadSamples();
    }, 150);
  };
  let drawTimer = null;
  const dirtyRuns = new Set();
  const redraw = (key) => {
    dirtyRuns.add(key);
    drawTimer ??= setTimeout(() => {
      drawTimer = null;
      for (const k of dirtyRuns) {
        const old = runRows.get(k);
        if (old && runs.has(k)) {
          const tr = runRow(runs.get(k));
          old.replaceWith(tr);
          runRows.set(k, tr);
        }
        if (state.run && state.run.key === k) showRunSummary();
      }
      dirtyRuns.clear();
    }, 100);
  };

  function onTestEnd(run, ev) {
    const max = typeof ev.max_score === 'number' ? ev.max_score : 1;
    const score = typeof ev.score === 'number' ? ev.score : 0;
    const passed = max > 0 && score >= max;
    run.tests_done = typeof ev.tests_done === 'number' ? ev.tests_done : run.tests_done + 1;
    if (passed) run.pass += 1;
    else if (score > 0) run.partial += 1;
    else run.fail += 1;
    run.score += score;
    run.max_score += max;
    run.success_rate = run.tests_done ? run.pass / run.tests_done : null;
    if (state.run && state.run.key === run.key) updateSample(ev.test_id, () => ({ status: passed ? 'pass' : 'fail', score, max_score: max }));
  }

  function followList() {
    const es = stream({ types: 'run_start,test_end,run_end,loaded' });
    // After a reconnect (the server restarted, say) what was missed is fetched once.
    let opened = false;
    es.addEventListener('open', () => {
      if (opened) refetchSoon();
      opened = true;
    });
    es.addEventListener('run', (e) => {
      const ev = JSON.parse(e.data);
      const run = runs.get(ev.key);
      // A run the list has not seen yet (or a resume): fetch it once.
      if (!run || ev.type === 'run_start') return refetchSoon();
      if (!fresh(run, ev)) return;
      if (ev.type === 'test_end') onTestEnd(run, ev);
      if (ev.type === 'run_end') {
        run.status = ev.status || 'finished';
        // The final state: fetched once, from what the server folded.
        refetchSoon();
      }
      redraw(run.key);
    });
    es.addEventListener('loaded', refetchSoon);
  }

  let runStream = null;
  /** The open live run's turn counting (issue 17), as the server counts: see rebase. */
  let following = null;
  function unfollowRun() {
    if (runStream) runStream.close();
    runStream = null;
    following = null;
    document.body.dataset.following = '';
  }

  /**
   * A live run's samples count turns as the server does: a turn_start on the step its
   * lane last ended is another attempt, not another turn. A page of samples is the
   * server's state at its `last_seq`, with each lane's last ended step: the count goes
   * on from there, events it already holds skipped and those it missed applied again.
   */
  function turnCounter(key, seenAtOpen) {
    let seen = seenAtOpen;
    let laneStep = new Map();
    let lastLane = 0;
    let recent = [];
    const apply = (ev) => {
      if (ev.type === 'test_start') updateSample(ev.test_id, () => ({ status: 'running' }));
      if (ev.type === 'turn_start') {
        lastLane = ev.lane ?? lastLane;
        if (ev.kind !== 'filler' && laneStep.get(lastLane) !== `${ev.test_id}#${ev.step}`) updateSample(ev.test_id, (s) => ({ turns: s.turns + 1 }));
      }
      if (ev.type === 'turn_end') laneStep.set(ev.lane ?? lastLane, `${ev.test_id}#${ev.step}`);
    };
    return {
      key,
      /** A stream event: counted unless the samples on the page hold it already. */
      take(ev) {
        if (typeof ev.seq === 'number' && ev.seq <= seen) return;
        if (typeof ev.seq === 'number') seen = ev.seq;
        recent.push(ev);
        if (recent.length > 1000) recent = recent.slice(-500);
        apply(ev);
      },
      rebase(body) {
        if (typeof body.last_seq !== 'number') return;
        laneStep = new Map(Object.entries(body.lane_steps || {}).map(([lane, step]) => [Number(lane), step]));
        recent = recent.filter((ev) => ev.seq > body.last_seq);
        for (const ev of recent) apply(ev);
        seen = Math.max(seen, body.last_seq);
      },
    };
  }
  function followRun() {
    const run = state.run;
    const live = run && run.status === 'running' && !run.loading;
    if (live && document.body.dataset.following === run.key) return;
    unfollowRun();
    if (!live) return;
    const key = run.key;
    // Its own high-water marks: the list stream's test events interleave with these turns,
    // and the summary line is at the run list's seq, the samples at their page's.
    let seen = run.last_seq;
    const counter = turnCounter(key, run.last_seq);
    following = counter;
    runStream = stream({ run: key, types: 'test_start,turn_start,turn_end,run_end' });
    document.body.dataset.following = key;
    runStream.addEventListener('run', (e) => {
      const ev = JSON.parse(e.data);
      if (ev.type === 'run_end') return unfollowRun();
      const open = state.run && state.run.key === key ? state.run : null;
      if (!open) return;
      counter.take(ev);
      if (typeof ev.seq === 'number' && ev.seq <= seen) return;
      seen = typeof ev.seq === 'number' ? ev.seq : seen;
      if (ev.type === 'turn_end') {
        if (typeof ev.turns_done === 'number') open.turns_done = Math.max(open.turns_done, ev.turns_done);
        if (typeof ev.cost_usd === 'number') open.cost_usd += ev.cost_usd;
        redraw(key);
      }
    });
  }

  let typing = null;
  const debounce = (fn) => () => {
    clearTimeout(typing);
    typing = setTimeout(fn, 200);
  };
  $('q').addEventListener('input', debounce(loadRuns));
  for (const id of ['status', 'kind', 'min-score']) $(id).addEventListener('change', loadRuns);
  const reloadSamples = () => {
    state.offset = 0;
    void loadSamples();
  };
  $('sample-status').addEventListener('change', reloadSamples);
  $('sample-q').addEventListener('input', debounce(reloadSamples));
  $('prev').addEventListener('click', () => {
    state.offset = Math.max(0, state.offset - PAGE);
    void loadSamples();
  });
  $('next').addEventListener('click', () => {
    if (state.offset + PAGE < state.total) state.offset += PAGE;
    void loadSamples();
  });
  $('suite').addEventListener('change', loadMatrix);
  followList();
  void loadRuns();
  void loadMatrix();
})();
