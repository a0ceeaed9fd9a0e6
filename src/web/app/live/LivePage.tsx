import { useLayoutEffect, useState } from 'preact/hooks';
import { LiveKpis, LiveStream } from './LiveCards.js';
import { CHART_LABELS, LiveCharts } from './LiveCharts.js';
import { LiveBanner, LiveLists } from './LiveLists.js';
import { LiveCosts, LivePending, LiveRecent, LiveWorkers } from './LiveTables.js';
import { CHARTS } from './series.js';
import { useLive } from './useLive.js';

const HIDE_KEY = 'referee.monitor.hideHeader';
const LISTS = { agents: 'Agents', datasets: 'Datasets', tasks: 'Tasks' } as const;

/** The header toggle, its choice kept in localStorage (the header is the app's; the body's class hides it). */
function useHiddenHeader(): [boolean, () => void] {
  const [hidden, setHidden] = useState(() => localStorage.getItem(HIDE_KEY) === '1');
  // Before paint: a reload with the header hidden never flashes it.
  useLayoutEffect(() => {
    document.body.classList.toggle('header-hidden', hidden);
    return () => document.body.classList.remove('header-hidden');
  }, [hidden]);
  const toggle = (): void => {
    localStorage.setItem(HIDE_KEY, hidden ? '0' : '1');
    setHidden(!hidden);
  };
  return [hidden, toggle];
}

/** A set of names the toolbar turns on and off. */
function useToggles(): [Set<string>, (name: string) => void] {
  const [off, setOff] = useState<Set<string>>(new Set());
  const flip = (name: string): void =>
    setOff((s) => {
      const next = new Set(s);
      if (!next.delete(name)) next.add(name);
      return next;
    });
  return [off, flip];
}

/** The live view (`#/live`): what the runs in progress do now, from the server's stream. */
export function LivePage() {
  const { state, versions: v, conn } = useLive();
  const [headerHidden, toggleHeader] = useHiddenHeader();
  const [chartsOff, flipChart] = useToggles();
  const [listsOff, flipList] = useToggles();
  return (
    <main id="live">
      <div class="toolbar">
        <button id="toggle-header" type="button" onClick={toggleHeader}>
          {headerHidden ? 'Show header' : 'Hide header'}
        </button>
        <span class="sep"></span>
        <span class="muted">Charts:</span>
        {CHARTS.map((name) => (
          <button key={name} class={`chart-toggle${chartsOff.has(name) ? '' : ' on'}`} data-chart={name} type="button" aria-pressed={!chartsOff.has(name)} onClick={() => flipChart(name)}>
            {CHART_LABELS[name]}
          </button>
        ))}
        <span class="sep"></span>
        <span class="muted">Lists:</span>
        {Object.entries(LISTS).map(([name, label]) => (
          <button key={name} class={`list-toggle${listsOff.has(name) ? '' : ' on'}`} data-list={name} type="button" aria-pressed={!listsOff.has(name)} onClick={() => flipList(name)}>
            {label}
          </button>
        ))}
        <span class="spacer"></span>
        <span id="conn" class={`conn conn-${conn.kind}`} title="connection to the monitor">
          {conn.label}
        </span>
      </div>
      <LiveBanner state={state} version={v.banner + v.pills} />
      <LiveCharts series={state.series} version={v.charts} hidden={chartsOff} />
      <LiveLists state={state} version={v.pills} hidden={listsOff} />
      <LiveKpis state={state} version={v.kpis + v.pills} />
      <LiveStream state={state} version={v.stream} />
      <section class="bottom">
        <LiveCosts state={state} version={v.costs} />
        <LiveWorkers state={state} version={v.costs} />
        <LivePending state={state} version={v.pending} />
        <LiveRecent state={state} version={v.recent} />
      </section>
    </main>
  );
}
