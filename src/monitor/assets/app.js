/* global document, window, localStorage, location, EventSource, URLSearchParams, requestAnimationFrame, echarts */
// The live page. Everything a model wrote (prompts, replies, reasons) and every
// name from a run directory is put on the page with textContent, never as HTML.
(function () {
  'use strict';

  const token = new URLSearchParams(location.search).get('token');
  const withToken = (path) => (token ? `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}` : path);
  const $ = (id) => document.getElementById(id);
  const STAGES = ['cooling', 'waiting', 'thinking', 'streaming', 'evaluating', 'done'];
  // issue 17: tokens/s over the calls that ended in this window (the server's TPS_WINDOW_MS).
  const TPS_WINDOW_MS = 10000;
  const SUCCESS_CAP = 1000;
  const WINDOW = 60;
  const LOADING = 'loading…';

  /** @type {{current: string|null, runs: Record<string, any>, recent: any[], summary: any, clockSkew: number, dirty: Set<string>}} */
  const state = { current: null, runs: {}, recent: [], summary: null, clockSkew: 0, dirty: new Set() };

  // ---- header toggle (kept in localStorage) ----
  const HIDE_KEY = 'referee.monitor.hideHeader';
  const headerBtn = $('toggle-header');
  function applyHeader(hidden) {
    document.body.classList.toggle('header-hidden', hidden);
    headerBtn.textContent = hidden ? 'Show header' : 'Hide header';
  }
  applyHeader(localStorage.getItem(HIDE_KEY) === '1');
  headerBtn.addEventListener('click', () => {
    const hidden = !document.body.classList.contains('header-hidden');
    localStorage.setItem(HIDE_KEY, hidden ? '1' : '0');
    applyHeader(hidden);
  });

  // ---- charts ----
  const charts = {};
  const series = { tps: [], success: [], fd: [], cpu: [], disk: [], gpu: [], temp: [] };
  const bands = {
    cpu: [{ lt: 20, color: '#2fbf71' }, { gte: 20, lt: 50, color: '#3b82f6' }, { gte: 50, lt: 70, color: '#f0c020' }, { gte: 70, color: '#e5484d' }],
    temp: [{ lt: 50, color: '#3b82f6' }, { gte: 50, lt: 70, color: '#2fbf71' }, { gte: 70, lt: 85, color: '#f0c020' }, { gte: 85, lt: 95, color: '#f08020' }, { gte: 95, color: '#e5484d' }],
  };
  function initCharts() {
    if (typeof echarts === 'undefined') return;
    for (const name of Object.keys(series)) {
      const chart = echarts.init($(`chart-${name}`), null, { renderer: 'canvas' });
      const option = {
        animation: false,
        grid: { left: 40, right: 8, top: 8, bottom: 20 },
        xAxis: { type: 'category', data: [], axisLabel: { color: '#8795a6', fontSize: 10 } },
        yAxis: { type: 'value', min: 0, axisLabel: { color: '#8795a6', fontSize: 10 }, splitLine: { lineStyle: { color: '#2a3340' } } },
        tooltip: { trigger: 'axis' },
        series: [{ type: 'line', showSymbol: false, data: [], lineStyle: { width: 2 }, areaStyle: { opacity: 0.15 } }],
      };
      if (name === 'success') option.yAxis.max = 100;
      if (bands[name]) option.visualMap = { show: false, pieces: bands[name], dimension: 1 };
      chart.setOption(option);
      charts[name] = chart;
    }
    window.addEventListener('resize', () => Object.values(charts).forEach((c) => c.resize()));
  }
  function pushPoint(name, ts, value) {
    const s = series[name];
    s.push([name === 'success' ? String(ts) : timeLabel(ts), value]);
    if (s.length > (name === 'success' ? SUCCESS_CAP : WINDOW)) s.shift();
    state.dirty.add('charts');
  }
  function drawCharts() {
    for (const [name, points] of Object.entries(series)) {
      const overlay = $(`overlay-${name}`);
      const gpuChart = name === 'gpu' || name === 'temp';
      const empty = points.length === 0 || points.every((p) => p[1] === null);
      overlay.classList.toggle('hidden', !empty);
      if (empty) overlay.textContent = gpuChart ? 'no GPU' : name === 'success' ? 'no test scored yet' : 'no samples yet';
      const chart = charts[name];
      if (!chart || empty) continue;
      chart.setOption({ xAxis: { data: points.map((p) => p[0]) }, series: [{ data: points.map((p) => p[1]) }] });
    }
  }
  function addTelemetry(sample) {
    const ts = sample.ts;
    if (typeof sample.tokens_per_s === 'number') pushPoint('tps', ts, sample.tokens_per_s);
    if ('open_fds' in sample) pushPoint('fd', ts, sample.open_fds);
    if (typeof sample.cpu_pct === 'number') pushPoint('cpu', ts, round(sample.cpu_pct, 1));
    if ('disk_mb_s' in sample) pushPoint('disk', ts, sample.disk_mb_s === null ? null : round(sample.disk_mb_s, 2));
    const gpu = Array.isArray(sample.gpus) && sample.gpus.length ? sample.gpus[0] : null;
    // No `gpus` field means no GPU: the charts say so rather than draw zeros.
    if (gpu) {
      pushPoint('gpu', ts, gpu.util_pct);
      pushPoint('temp', ts, gpu.temp_c);
      state.gpuTemp = gpu.temp_c;
    } else {
      series.gpu.length = 0;
      series.temp.length = 0;
      state.gpuTemp = null;
    }
    state.hasTelemetryTps = state.hasTelemetryTps || typeof sample.tokens_per_s === 'number';
  }
  function resetSeries(run) {
    for (const s of Object.values(series)) s.length = 0;
    state.hasTelemetryTps = false;
    state.gpuTemp = null;
    // issue 17: a run still being read has partial series; it is drawn once `loaded`.
    if (run && run.loading) run = undefined;
    for (const sample of (run && run.telemetry) || []) addTelemetry(sample);
    if (run && !state.hasTelemetryTps) for (const p of run.tps || []) pushPoint('tps', p.ts, round(p.tokens_per_s, 1));
    for (const p of (run && run.success_over_time) || []) pushPoint('success', p.task_idx, round(100 * p.success_rate, 1));
    state.dirty.add('charts');
  }
  document.querySelectorAll('.chart-toggle').forEach((btn) =>
    btn.addEventListener('click', () => {
      const box = $(`box-${btn.dataset.chart}`);
      const on = box.classList.toggle('hidden') === false;
      btn.classList.toggle('on', on);
      if (on && charts[btn.dataset.chart]) charts[btn.dataset.chart].resize();
    }),
  );
  document.querySelectorAll('.list-toggle').forEach((btn) =>
    btn.addEventListener('click', () => {
      const on = $(`list-${btn.dataset.list}`).classList.toggle('hidden') === false;
      btn.classList.toggle('on', on);
    }),
  );

  // issue 17: never per chunk: output tokens over LLM call time (TTFT included) of recent calls.
  function windowTokensPerS(run) {
    const win = run.tps_window || [];
    const last = win[win.length - 1];
    if (!last) return null;
    let tokens = 0;
    let ms = 0;
    for (const w of win) {
      if (w.t < last.t - TPS_WINDOW_MS) continue;
      tokens += w.tokens;
      ms += w.llm_ms;
    }
    return ms > 0 ? (tokens * 1000) / ms : null;
  }

  // ---- state updates ----
  function currentRun() {
    return state.current ? state.runs[state.current] : undefined;
  }
  function activeLane(run) {
    if (!run || !run.lanes || !run.lanes.length) return undefined;
    return run.lanes.find((l) => l.lane === run.active_lane) || run.lanes[run.lanes.length - 1];
  }
  function laneOf(run, n) {
    run.lanes = run.lanes || [];
    let l = run.lanes.find((x) => x.lane === n);
    if (!l) {
      l = { lane: n, prompt: '', response: '', stage: null, stage_ms: {}, stage_since: null, last_turn: null, result: null };
      run.lanes.push(l);
    }
    return l;
  }
  function markAll() {
    ['charts', 'pills', 'kpis', 'stream', 'costs', 'recent', 'banner', 'pending'].forEach((d) => state.dirty.add(d));
  }
  function applySnapshot(snap) {
    state.runs = snap.detail || {};
    state.current = snap.current;
    state.recent = snap.runs || [];
    state.summary = snap.summary || null;
    state.clockSkew = Date.parse(snap.server_time) - Date.now() || 0;
    resetSeries(currentRun());
    markAll();
    schedule();
  }

  let snapshotTimer = null;
  /** issue 21: the run events that arrived while a snapshot was on its way; those it does not hold are applied again. */
  let eventsSinceFetch = null;
  function refreshSnapshotSoon() {
    if (snapshotTimer) return;
    snapshotTimer = setTimeout(async () => {
      snapshotTimer = null;
      eventsSinceFetch = [];
      try {
        const r = await fetch(withToken('api/benchmark/snapshot'));
        if (r.ok) applySnapshot(await r.json());
      } catch {
        /* the stream or the poller will try again */
      } finally {
        const missed = eventsSinceFetch || [];
        eventsSinceFetch = null;
        // The snapshot replaced the runs these were applied to: each one newer than the snapshot counts again (seq decides).
        missed.forEach(onRunEvent);
      }
    }, 300);
  }

  function onRunEvent(ev) {
    if (eventsSinceFetch) eventsSinceFetch.push(ev);
    let run = state.runs[ev.key];
    if (!run) {
      // A run we have not seen: fetch its full state (agent, model, tests) once.
      run = state.runs[ev.key] = { key: ev.key, run_id: ev.run_id, status: 'running', tests: [], lanes: [], datasets: [], telemetry: [], tps: [] };
      refreshSnapshotSoon();
    }
    // issue 17: a snapshot fetched over HTTP may already hold an event the stream delivers after it.
    if (typeof ev.seq === 'number' && typeof run.last_seq === 'number' && ev.seq <= run.last_seq) return;
    if (typeof ev.seq === 'number') run.last_seq = ev.seq;
    const cur = currentRun();
    if (ev.key !== state.current && (!cur || cur.status !== 'running') && ev.type !== 'run_end') {
      state.current = ev.key;
      resetSeries(run);
      markAll();
    }
    const isCurrent = ev.key === state.current;
    switch (ev.type) {
      case 'run_start':
        run.status = 'running';
        run.tests = (ev.tests || []).map((t) => ({ test_id: t.test_id, dataset: t.dataset, status: 'pending' }));
        run.datasets = [...new Set(run.tests.map((t) => t.dataset))];
        run.tests_total = ev.tests_total;
        run.turns_total = ev.turns_total;
        run.turns_total_estimated = ev.turns_total_estimated === true;
        refreshSnapshotSoon();
        state.dirty.add('pills');
        break;
      case 'test_start': {
        const t = run.tests.find((x) => x.test_id === ev.test_id);
        if (t) {
          t.status = 'running';
          t.lane = ev.lane;
        }
        state.dirty.add('pills');
        break;
      }
      case 'turn_start': {
        const l = laneOf(run, ev.lane ?? 0);
        Object.assign(l, { test_id: ev.test_id, turn_id: ev.turn_id, kind: ev.kind, dataset: ev.dataset, prompt: ev.prompt || '', response: '', result: null, verdict: null, busy: true });
        run.active_lane = l.lane;
        state.dirty.add('stream').add('pills');
        break;
      }
      case 'token': {
        const l = (run.lanes || []).find((x) => x.turn_id === ev.turn_id && x.test_id === ev.test_id);
        if (l) {
          l.response += ev.delta || '';
          state.dirty.add('stream');
        }
        break;
      }
      case 'turn_end': {
        if (ev.turns_total !== undefined) run.turns_total = ev.turns_total;
        const l = laneOf(run, ev.lane ?? 0);
        if (typeof ev.response === 'string') l.response = ev.response;
        l.last_turn = ev;
        l.busy = false;
        // issue 17: another attempt at the same step is not another turn.
        const stepKey = `${ev.test_id}#${ev.step}`;
        if (stepKey !== l.last_step_key) run.turns_done = (run.turns_done || 0) + 1;
        l.last_step_key = stepKey;
        run.attempts = (run.attempts || 0) + 1;
        if (ev.llm_ms > 0) {
          run.tps_window = (run.tps_window || []).concat([{ t: Date.parse(ev.ts), tokens: ev.tokens_out || 0, llm_ms: ev.llm_ms }]).slice(-256);
          const rate = windowTokensPerS(run);
          if (isCurrent && !state.hasTelemetryTps && rate !== null) pushPoint('tps', ev.ts, round(rate, 1));
        }
        state.dirty.add('stream').add('kpis').add('pills');
        break;
      }
      case 'test_end': {
        const t = run.tests.find((x) => x.test_id === ev.test_id);
        const passed = ev.max_score > 0 && ev.score >= ev.max_score;
        if (t) {
          t.status = passed ? 'pass' : 'fail';
          t.score = ev.score;
          t.max_score = ev.max_score;
        }
        run.tests_done = ev.tests_done ?? (run.tests_done || 0) + 1;
        run.pass = (run.pass || 0) + (passed ? 1 : 0);
        if (isCurrent) {
          pushPoint('success', run.tests_done, round((100 * run.pass) / run.tests_done, 1));
          state.dirty.add('charts');
        }
        const l = (run.lanes || []).find((x) => x.test_id === ev.test_id) || activeLane(run);
        if (l) {
          l.result = `${passed ? 'PASS' : 'FAIL'} ${ev.test_id}: score ${ev.score}/${ev.max_score}${(ev.reasons || []).length ? '\n' + ev.reasons.join('\n') : ''}`;
          l.verdict = passed ? 'pass' : 'fail';
        }
        state.dirty.add('pills').add('stream').add('kpis');
        break;
      }
      case 'telemetry':
        run.telemetry = (run.telemetry || []).concat([ev]).slice(-WINDOW);
        if (isCurrent) addTelemetry(ev);
        state.dirty.add('kpis');
        break;
      case 'run_end':
        run.status = ev.status || 'finished';
        // issue 21: the run's final figures (runstats.json's), whatever this page missed on the way.
        ['turns_total', 'turns_total_estimated', 'tests_done', 'turns_failed', 'tokens_in', 'tokens_out', 'cost_usd'].forEach((k) => {
          if (ev[k] !== undefined) run[k] = ev[k];
        });
        if (ev.turns !== undefined) run.turns_done = ev.turns;
        (run.lanes || []).forEach((l) => {
          l.busy = false;
        });
        refreshSnapshotSoon();
        refreshRecent();
        state.dirty.add('pills').add('banner').add('kpis');
        break;
      default:
        break;
    }
    schedule();
  }

  function onStage(s) {
    const run = state.runs[s.key];
    if (!run) return;
    const l = laneOf(run, s.lane);
    l.stage = s.stage;
    l.stage_ms = s.stage_ms || {};
    l.stage_since = s.stage_since;
    state.dirty.add('stream');
    schedule();
  }

  // ---- rendering (text only) ----
  let frame = false;
  function schedule() {
    if (frame) return;
    frame = true;
    requestAnimationFrame(render);
    // rAF does not run in a hidden tab; a timer makes sure state still lands.
    setTimeout(render, 250);
  }
  function render() {
    if (!frame) return;
    frame = false;
    const d = state.dirty;
    state.dirty = new Set();
    if (d.has('banner') || d.has('pills')) renderBanner();
    if (d.has('charts')) drawCharts();
    if (d.has('pills')) renderPills();
    if (d.has('kpis') || d.has('pills')) renderKpis();
    if (d.has('stream')) renderStream();
    if (d.has('costs')) renderCosts();
    if (d.has('costs')) renderWorkers();
    if (d.has('pending')) renderPending();
    if (d.has('recent')) renderRecent();
  }

  function text(id, value) {
    const el = $(id);
    const v = value === null || value === undefined || value === '' ? '—' : String(value);
    if (el.textContent !== v) el.textContent = v;
  }
  function pill(label, status, title, extra) {
    const el = document.createElement('span');
    el.className = `pill pill-${status}${extra ? ' ' + extra : ''}`;
    el.textContent = label;
    el.title = title || label;
    el.dataset.status = status;
    return el;
  }

  function renderBanner() {
    const running = Object.values(state.runs).some((r) => r.status === 'running');
    $('banner').classList.toggle('hidden', running);
  }

  function groupRuns() {
    const cur = currentRun();
    if (!cur) return [];
    return Object.values(state.runs)
      .filter((r) => r.key === cur.key || (cur.group && r.group === cur.group))
      .sort((a, b) => String(a.created_at || a.key).localeCompare(String(b.created_at || b.key)));
  }

  function currentDataset(run) {
    const l = activeLane(run);
    if (l && l.dataset && l.kind !== 'filler') return l.dataset;
    const running = (run.tests || []).find((t) => t.status === 'running');
    if (running) return running.dataset;
    return (run.datasets || [])[0];
  }

  function renderPills() {
    const run = currentRun();
    const agents = groupRuns().map((r, i, all) => {
      const status = r.status === 'running' ? 'running' : r.status === 'finished' ? 'pass' : r.status === 'pending' ? 'pending' : 'fail';
      return pill(`${r.agent || r.run_id} ${i + 1}/${all.length}`, status, `${r.run_id} (${r.status})`, r.key === state.current ? 'pill-selected' : '');
    });
    $('pills-agents').replaceChildren(...agents);
    if (!run) {
      $('pills-datasets').replaceChildren();
      $('pills-tasks').replaceChildren();
      text('tasks-dataset', '');
      return;
    }
    const tests = run.loading ? [] : run.tests || [];
    const datasets = (run.loading ? [] : run.datasets || []).map((name) => {
      const ts = tests.filter((t) => t.dataset === name);
      const done = ts.filter((t) => t.status === 'pass' || t.status === 'fail').length;
      const pass = ts.filter((t) => t.status === 'pass').length;
      const status = ts.length && done === ts.length ? 'pass' : ts.some((t) => t.status !== 'pending') ? 'running' : 'pending';
      return pill(`${name} ${done}/${ts.length}`, status, `${name}: ${pass} passed of ${done} done, ${ts.length} in all`);
    });
    $('pills-datasets').replaceChildren(...datasets);
    const ds = currentDataset(run);
    text('tasks-dataset', ds ? `(${ds})` : '');
    const activeIds = new Set((run.lanes || []).filter((l) => l.busy).map((l) => l.test_id));
    const taskPills = tests
      .filter((t) => t.dataset === ds)
      .map((t) => {
        const el = pill(t.test_id, t.status, `${t.test_id}: ${t.status}${t.score !== undefined && t.score !== null ? ` (${t.score}/${t.max_score})` : ''}`, t.status === 'running' && activeIds.has(t.test_id) ? 'pill-active' : '');
        el.dataset.testId = t.test_id;
        return el;
      });
    $('pills-tasks').replaceChildren(...taskPills);
  }

  function fmtSeconds(s) {
    if (s === null || s === undefined) return null;
    if (s < 60) return `${Math.round(s)} s`;
    if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
    return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
  }
  function pct(x) {
    return x === null || x === undefined ? '—' : `${Math.round(x)}%`;
  }

  function renderKpis() {
    const run = currentRun();
    const job = state.summary && state.summary.current_job && run && state.summary.current_job.key === run.key ? state.summary.current_job : null;
    text('kpi-model', run ? run.model || run.agent : null);
    const lastTurn = run ? (activeLane(run) || {}).last_turn : null;
    const endpoint = run ? run.endpoint || 'unknown' : null;
    const reach = !lastTurn ? '' : lastTurn.status === 'success' ? ' · reachable' : ` · last call failed (${lastTurn.reason || 'error'})`;
    text('kpi-endpoint', run ? endpoint + reach : null);
    const temp = state.gpuTemp;
    text('kpi-gpu-temp', temp === null || temp === undefined ? 'no GPU' : `${temp} °C`);
    text('kpi-thermal', temp === null || temp === undefined ? '—' : temp < 60 ? 'cool' : temp < 80 ? 'warm' : 'hot');
    if (!run || run.loading) {
      // issue 17: a run still being read shows no partial numbers; its `loaded` event brings the whole ones.
      const shown = run ? LOADING : null;
      ['kpi-agent-pos', 'kpi-dataset-pos', 'progress-done', 'progress-turns', 'kpi-okko', 'kpi-remaining', 'kpi-eta'].forEach((id) => text(id, shown));
      $('progress-bar').style.width = '0%';
    } else {
      const tests = run.tests || [];
      const total = run.tests_total || tests.length;
      const done = tests.filter((t) => t.status === 'pass' || t.status === 'fail').length || run.tests_done || 0;
      const group = groupRuns();
      text('kpi-agent-pos', `${run.agent || run.run_id} (${group.indexOf(run) + 1}/${group.length})`);
      const ds = currentDataset(run);
      // issue 21: the dataset's own tests done, then its place in the run ("9/9" alone read as progress).
      const dsTests = tests.filter((x) => x.dataset === ds);
      const dsDone = dsTests.filter((x) => x.status === 'pass' || x.status === 'fail').length;
      text('kpi-dataset-pos', ds ? `${ds}: ${dsDone}/${dsTests.length} tests done (dataset ${(run.datasets || []).indexOf(ds) + 1} of ${(run.datasets || []).length})` : null);
      text('progress-done', `${done}/${total}`);
      const turnsDone = job ? job.completed_turns : run.turns_done;
      const turnsTotal = job ? job.total_turns : run.turns_total;
      // issue 21: an expected total says so until the run ends and settles it.
      const estimated = job ? job.total_turns_estimated : run.turns_total_estimated;
      text('progress-turns', `${turnsDone ?? 0}/${estimated ? '~' : ''}${turnsTotal ?? '?'}${estimated ? ' (estimate)' : ''}`);
      const ok = tests.filter((t) => t.status === 'pass').length;
      const partial = tests.filter((t) => t.status === 'fail' && t.score > 0).length;
      const ko = done - ok - partial;
      text('kpi-okko', done ? `${pct((100 * ok) / done)} / ${pct((100 * ko) / done)} / ${pct((100 * partial) / done)}` : null);
      text('kpi-remaining', `${Math.max(0, total - done)} tests`);
      text('kpi-eta', job ? fmtSeconds(job.eta_seconds) : null);
      $('progress-bar').style.width = `${total ? (100 * done) / total : 0}%`;
    }
    const l = run && !run.loading ? activeLane(run) : undefined;
    const t = l && l.last_turn;
    text('kpi-task', l ? `${l.test_id ?? '—'} · turn ${l.turn_id ?? '—'}` : null);
    text('kpi-attempt', t ? t.attempts || 1 : null);
    // issue 17: once scored, the task's verdict; never "success" beside a FAIL.
    text('kpi-task-status', l ? (l.busy ? 'running' : l.verdict ? l.verdict.toUpperCase() : t ? t.status : null) : null);
    text('kpi-ttft', t && t.ttft_ms !== null && t.ttft_ms !== undefined ? `${round(t.ttft_ms, 0)} ms` : null);
    const rate = run ? windowTokensPerS(run) : null;
    text('kpi-speed', rate === null ? null : `${round(rate, 1)} tok/s`);
    text('kpi-latency', t ? `${round(t.total_ms, 0)} ms` : null);
  }

  function renderStream() {
    const run = currentRun();
    const l = run && !run.loading ? activeLane(run) : undefined;
    const finished = run && run.status !== 'running';
    text('streaming-label', !l ? '' : finished ? '(last task)' : `(lane ${l.lane})`);
    text('status-text', run && run.loading ? 'LOADING' : l && l.stage ? l.stage.toUpperCase() : run ? String(run.status).toUpperCase() : null);
    text('prompt', l ? l.prompt : null);
    text('response', l ? l.response : null);
    text('result', l ? l.result : null);
    const responseEl = $('response');
    responseEl.scrollTop = responseEl.scrollHeight;
    renderStages();
  }

  function renderStages() {
    const run = currentRun();
    const l = run && !run.loading ? activeLane(run) : undefined;
    const cur = l ? l.stage : null;
    const idx = STAGES.indexOf(cur);
    document.querySelectorAll('#stages .stage').forEach((el) => {
      const name = el.dataset.stage;
      const i = STAGES.indexOf(name);
      let ms = l && l.stage_ms ? l.stage_ms[name] : null;
      if (name === cur && l.stage_since && cur !== 'done') ms = Math.max(0, Date.now() + state.clockSkew - Date.parse(l.stage_since));
      el.classList.toggle('current', name === cur);
      el.classList.toggle('passed', idx > i && ms !== null && ms !== undefined);
      el.querySelector('em').textContent = ms === null || ms === undefined ? '' : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
    });
  }

  function renderCosts() {
    const run = currentRun();
    const costs = run && run.loading ? null : state.summary && state.summary.costs;
    const rows = [];
    if (costs) {
      for (const [provider, c] of Object.entries(costs.api_calls || {})) {
        const tr = document.createElement('tr');
        for (const v of [`${provider}${c.model ? ' · ' + c.model : ''}`, `${c.input_tokens} in / ${c.output_tokens} out`, `$${c.cost_usd.toFixed(4)}`]) {
          const td = document.createElement('td');
          td.textContent = v;
          tr.append(td);
        }
        rows.push(tr);
      }
      const tr = document.createElement('tr');
      for (const v of ['compute', `${costs.compute.hours_elapsed} h`, costs.compute.hourly_rate_usd === null ? 'no rate set' : `$${costs.compute.cost_usd.toFixed(4)}`]) {
        const td = document.createElement('td');
        td.textContent = v;
        tr.append(td);
      }
      rows.push(tr);
    }
    $('cost-rows').replaceChildren(...rows);
    text('cost-total', costs ? `$${costs.total_cost_usd.toFixed(4)}` : run && run.loading ? LOADING : null);
    // issue 16: say when the token counts were estimated (the server sent no usage)
    text('cost-source', costs ? `pricing: ${costs.pricing_source}${costs.usage_source ? ` · tokens: ${costs.usage_source}` : ''}` : '');
  }

  // Seed 002's worker panel: one row per lane of the runs in progress.
  function renderWorkers() {
    const w = state.summary && state.summary.workers;
    text('workers-count', w ? `${w.active_workers}/${w.total_workers} active` : null);
    const rows = ((w && w.workers) || []).slice(0, 64).map((x) => {
      const tr = document.createElement('tr');
      tr.className = `worker-${x.status}`;
      for (const v of [x.worker_id, x.status, x.current_task || '—', x.tasks_completed, x.turns_completed, `${x.idle_time_seconds} s`]) {
        const td = document.createElement('td');
        td.textContent = String(v);
        tr.append(td);
      }
      return tr;
    });
    $('worker-rows').replaceChildren(...rows);
  }

  // Seeds 002/004, the LTM pending queue (issue 17): the current run's tests that wait for a lane, and for what.
  function waitsFor(q) {
    if (q.status === 'pending') return 'its start';
    const w = q.wait;
    if (!w) return 'its next turn';
    const tokens = w.tokens_left === null ? `${w.tokens} tokens` : w.tokens_left === 0 ? `a lane (its ${w.tokens} tokens passed)` : `${w.tokens_left} of ${w.tokens} tokens`;
    return w.time_s > 0 ? `${tokens} · ${w.time_s} s of clock` : tokens;
  }
  function renderPending() {
    const run = currentRun();
    const s = state.summary;
    const mine = run && !run.loading && s && s.current_job && s.current_job.key === run.key;
    const queue = mine ? s.queue || [] : [];
    text('pending-count', mine ? (queue.length < s.queue_length ? `${s.queue_length} (first ${queue.length})` : String(s.queue_length)) : null);
    const rows = queue.map((q) => {
      const tr = document.createElement('tr');
      tr.className = `queue-${q.status}`;
      tr.dataset.testId = q.task_id;
      for (const v of [q.task_id, q.dataset, waitsFor(q)]) {
        const td = document.createElement('td');
        td.textContent = v;
        tr.append(td);
      }
      return tr;
    });
    $('pending-rows').replaceChildren(...rows);
  }

  function renderRecent() {
    const rows = (state.recent || []).map((r) => {
      const tr = document.createElement('tr');
      const cells = [
        r.created_at ? new Date(r.created_at).toLocaleString() : '—',
        r.run_id,
        r.agent,
        r.status,
        r.loading ? LOADING : r.max_score ? `${round(r.score, 2)}/${r.max_score}` : '—',
        r.loading ? LOADING : r.success_rate === null || r.success_rate === undefined ? '—' : `${Math.round(r.success_rate * 100)}%`,
      ];
      cells.forEach((v, i) => {
        const td = document.createElement('td');
        td.textContent = String(v);
        if (i === 3) td.className = `status-${r.status}`;
        tr.append(td);
      });
      return tr;
    });
    $('recent-rows').replaceChildren(...rows);
  }

  async function refreshRecent() {
    try {
      const r = await fetch(withToken('api/benchmark/runs?limit=20'));
      if (r.ok) {
        state.recent = (await r.json()).runs;
        state.dirty.add('recent');
        schedule();
      }
    } catch {
      /* next time */
    }
  }

  function timeLabel(ts) {
    const d = ts ? new Date(ts) : new Date();
    return d.toTimeString().slice(0, 8);
  }
  function round(x, digits) {
    if (typeof x !== 'number') return x;
    const f = 10 ** digits;
    return Math.round(x * f) / f;
  }

  // ---- connection: SSE, reconnect, polling fallback ----
  let es = null;
  let pollTimer = null;
  let erroredSince = null;
  function setConn(kind, label) {
    const el = $('conn');
    el.className = `conn conn-${kind}`;
    el.textContent = label;
    document.body.dataset.conn = kind;
  }
  function startPolling() {
    if (pollTimer) return;
    setConn('polling', 'polling');
    const poll = async () => {
      try {
        const r = await fetch(withToken('api/benchmark/snapshot'));
        if (r.ok) applySnapshot(await r.json());
      } catch {
        setConn('down', 'monitor unreachable');
      }
    };
    void poll();
    pollTimer = setInterval(poll, 2000);
  }
  function stopPolling() {
    if (pollTimer) clearInterval(pollTimer);
    pollTimer = null;
  }
  function connect() {
    es = new EventSource(withToken('api/benchmark/telemetry/stream'));
    es.addEventListener('open', () => {
      erroredSince = null;
      stopPolling();
      setConn('live', 'live');
    });
    es.addEventListener('snapshot', (e) => applySnapshot(JSON.parse(e.data)));
    es.addEventListener('run', (e) => onRunEvent(JSON.parse(e.data)));
    es.addEventListener('stage', (e) => onStage(JSON.parse(e.data)));
    // issue 17: a run found on disk has been read to its end: its whole numbers replace "loading".
    es.addEventListener('loaded', refreshSnapshotSoon);
    es.addEventListener('message', (e) => {
      const data = JSON.parse(e.data);
      if (data.type === 'summary') {
        state.summary = data;
        state.dirty.add('kpis').add('costs').add('pending');
        schedule();
      }
    });
    es.addEventListener('error', () => {
      erroredSince = erroredSince || Date.now();
      if (!pollTimer) setConn('down', 'reconnecting');
      // The browser retries by itself unless the stream was refused outright.
      if (es.readyState === EventSource.CLOSED) {
        es = null;
        setTimeout(connect, 2000);
      }
      // SSE failing for a while (a proxy that buffers, say): poll until it comes back.
      setTimeout(() => {
        if (erroredSince && Date.now() - erroredSince >= 3000) startPolling();
      }, 3100);
    });
  }

  initCharts();
  markAll();
  schedule();
  connect();
  setInterval(renderStages, 500);
  setInterval(refreshRecent, 15000);
})();
