import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Link, Route, Router, Switch, useLocation, useParams } from 'wouter-preact';
import { useHashLocation } from 'wouter-preact/use-hash-location';
import { api, isBundle, type Matrix as MatrixData, type RunFilters, type RunRow } from './api.js';
import { Compare } from './Compare.js';
import type { RunEvent } from './live.js';
import { LivePage } from './live/LivePage.js';
import { Matrix } from './Matrix.js';
import { RunList } from './RunList.js';
import { RunView } from './RunView.js';
import { SampleView } from './SampleView.js';

/** Every run (the server's cap, 10,000): the list draws only those in view, and a sort covers them all. */
const ALL_RUNS = 10_000;

/** The runs as last fetched, and the live events that moved them on since (issue 17: no polling). */
function useRuns(filters: RunFilters) {
  const [state, setState] = useState<{ total: number; runs: RunRow[] }>({ total: 0, runs: [] });
  const [matrixSuite, setMatrixSuite] = useState<string | null>(null);
  const [matrix, setMatrix] = useState<MatrixData | null>(null);
  const [reloads, setReloads] = useState(0);
  const filtersRef = useRef(filters);
  filtersRef.current = filters;
  useEffect(() => {
    const t = setTimeout(() => void api.runs({ q: filters.q, status: filters.status, min_score: filters.min_score, limit: ALL_RUNS }).then((body) => body && setState(body)), filters.q ? 200 : 0);
    return () => clearTimeout(t);
  }, [filters.q, filters.status, filters.min_score, reloads]);
  useEffect(() => {
    void api.matrix(matrixSuite).then((m) => m && setMatrix(m));
  }, [matrixSuite, reloads]);
  const patch = (key: string, change: (r: RunRow) => Partial<RunRow>): void =>
    setState((s) => ({ ...s, runs: s.runs.map((r) => (r.key === key ? { ...r, ...change(r) } : r)) }));
  useEffect(() => {
    const es = api.stream({ types: 'run_start,test_end,run_end,loaded' });
    // A static bundle holds finished runs: nothing to follow.
    if (!es) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refetchSoon = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => setReloads((n) => n + 1), 150);
    };
    // After a reconnect (the server restarted, say) what was missed is fetched once.
    let opened = false;
    es.addEventListener('open', () => {
      if (opened) refetchSoon();
      opened = true;
    });
    es.addEventListener('loaded', refetchSoon);
    es.addEventListener('run', (e) => {
      const ev = JSON.parse((e as MessageEvent<string>).data) as RunEvent;
      if (ev.type === 'run_start') return refetchSoon();
      setState((s) => {
        const run = s.runs.find((r) => r.key === ev.key);
        if (!run) {
          refetchSoon();
          return s;
        }
        // Already in the numbers the page fetched.
        if (typeof ev.seq === 'number' && ev.seq <= run.last_seq) return s;
        const next: RunRow = { ...run, last_seq: typeof ev.seq === 'number' ? ev.seq : run.last_seq };
        if (ev.type === 'test_end') {
          const max = typeof ev.max_score === 'number' ? ev.max_score : 1;
          const score = typeof ev.score === 'number' ? ev.score : 0;
          const passed = max > 0 && score >= max;
          next.tests_done = typeof ev.tests_done === 'number' ? ev.tests_done : run.tests_done + 1;
          if (passed) next.pass += 1;
          else if (score > 0) next.partial += 1;
          else next.fail += 1;
          next.score += score;
          next.max_score += max;
          next.success_rate = next.tests_done ? next.pass / next.tests_done : null;
        }
        if (ev.type === 'run_end') {
          next.status = ev.status ?? 'finished';
          // The final state: fetched once, from what the server folded.
          refetchSoon();
        }
        return { ...s, runs: s.runs.map((r) => (r.key === ev.key ? next : r)) };
      });
    });
    return () => {
      clearTimeout(timer);
      es.close();
    };
  }, []);
  // The open run's turns (its run_end reaches the list's own stream, which refetches once).
  const onLive = (key: string, ev: RunEvent): void => {
    if (ev.type !== 'turn_end') return;
    patch(key, (r) => ({
      turns_done: typeof ev.turns_done === 'number' ? Math.max(r.turns_done, ev.turns_done) : r.turns_done,
      cost_usd: r.cost_usd + (typeof ev.cost_usd === 'number' ? ev.cost_usd : 0),
    }));
  };
  return { ...state, matrix, setMatrixSuite, onLive };
}

/** A run the list does not hold (a filter hides it, or it is a deep link): looked up once. */
function useRun(key: string, runs: RunRow[]): RunRow | null {
  const inList = runs.find((r) => r.key === key) ?? null;
  const [fetched, setFetched] = useState<RunRow | null>(null);
  useEffect(() => {
    if (inList) return;
    void api.runs({ limit: ALL_RUNS }).then((b) => setFetched(b?.runs.find((r) => r.key === key) ?? null));
  }, [key, inList === null]);
  return inList ?? (fetched?.key === key ? fetched : null);
}

function RunRoute({ runs, onLive, withSample, phoenixUrl }: { runs: RunRow[]; onLive: (key: string, ev: RunEvent) => void; withSample: boolean; phoenixUrl: string | null }) {
  const params = useParams<{ key: string; test?: string }>();
  const key = decodeURIComponent(params.key);
  const run = useRun(key, runs);
  if (!run) return <p class="muted">loading run…</p>;
  return (
    <>
      <RunView key={run.key} run={run} onLive={onLive} />
      {withSample && params.test ? <SampleView runKey={run.key} testId={decodeURIComponent(params.test)} phoenixUrl={phoenixUrl} /> : null}
    </>
  );
}

/** The runs, their pages and comparisons: everything but the live view, over one list of runs kept current by the stream. */
function Browse({ filters, onFilters, phoenixUrl }: { filters: RunFilters & { kind: string }; onFilters: (f: RunFilters & { kind: string }) => void; phoenixUrl: string | null }) {
  const data = useRuns(filters);
  return (
    <Switch>
      <Route path="/run/:key/sample/:test">
        <RunRoute runs={data.runs} onLive={data.onLive} withSample phoenixUrl={phoenixUrl} />
      </Route>
      <Route path="/run/:key">
        <RunRoute runs={data.runs} onLive={data.onLive} withSample={false} phoenixUrl={phoenixUrl} />
      </Route>
      <Route path="/compare/:a/:b">
        {(p: { a: string; b: string }) => <Compare runs={data.runs} a={decodeURIComponent(p.a)} b={decodeURIComponent(p.b)} />}
      </Route>
      <Route path="/suite/:name">
        {(p: { name: string }) => <SuiteRoute name={decodeURIComponent(p.name)} data={data} />}
      </Route>
      <Route>
        <>
          <RunList runs={data.runs} total={data.total} filters={filters} onFilters={onFilters} />
          <Compare runs={data.runs} a={null} b={null} />
          <Matrix matrix={data.matrix} />
        </>
      </Route>
    </Switch>
  );
}

function App() {
  // The list's filters outlive a visit to a run or to the live view.
  const [filters, setFilters] = useState<RunFilters & { kind: string }>({ q: '', status: '', min_score: '', kind: '' });
  const [phoenixUrl, setPhoenixUrl] = useState<string | null>(null);
  useEffect(() => void api.config().then((c) => setPhoenixUrl(c?.phoenix_url ?? null)), []);
  return (
    <Router hook={useHashLocation}>
      <Header />
      <Switch>
        <Route path="/live">{isBundle ? <p class="muted">A static copy has no live view: it holds finished runs.</p> : <LivePage />}</Route>
        <Route>
          <Browse filters={filters} onFilters={setFilters} phoenixUrl={phoenixUrl} />
        </Route>
      </Switch>
    </Router>
  );
}

/** The app's header: its two places, the live view and the runs, and the page title to match. */
function Header() {
  const [location] = useLocation();
  const live = location === '/live';
  useEffect(() => {
    document.title = live ? 'Referee · live monitor' : 'Referee · runs';
  }, [live]);
  return (
    <header id="site-header">
      <Link href="/">
        <strong>Referee</strong>
      </Link>
      <nav>
        {isBundle ? null : (
          <Link href="/live" class={live ? 'nav-on' : ''} aria-current={live ? 'page' : undefined}>
            Live
          </Link>
        )}
        <Link href="/" class={live ? '' : 'nav-on'} aria-current={live ? undefined : 'page'}>
          Runs
        </Link>
      </nav>
      <span class="spacer"></span>
    </header>
  );
}

function SuiteRoute({ name, data }: { name: string; data: ReturnType<typeof useRuns> }) {
  useEffect(() => data.setMatrixSuite(name), [name]);
  return <Matrix matrix={data.matrix?.suite === name ? data.matrix : null} />;
}

// One page for the whole app: opened at the server's root it starts on the live view, at /view
// (and in a static copy) on the runs.
if (!location.hash && !isBundle && !/\/view\/?$/.test(location.pathname)) history.replaceState(null, '', '#/live');
render(<App />, document.getElementById('app')!);
