import type { SampleDetail } from './api.js';
import { count } from './format.js';

/**
 * An LTM sample's timeline: where each of its lines went into the run's conversation (the run's
 * turn number), how many turns of filler and other tests came between it and the line before,
 * how long that took, and the span the test covered in tokens against its memory span.
 */
export function Timeline({ d }: { d: SampleDetail }) {
  // A one-line sample outside an LTM schedule (a task) has no timeline to show.
  if (d.turns.length < 2 && d.memory_span === null) return null;
  const at = (i: number): number => Number(d.turns[i]!.turn_id);
  const ms = (i: number): number | null => (d.turns[i]!.timestamp ? Date.parse(d.turns[i]!.timestamp!) : null);
  const over = d.span_tokens !== null && d.memory_span !== null && d.span_tokens > d.memory_span;
  return (
    <div id="sample-timeline">
      <h4>Timeline</h4>
      <p class="muted" id="timeline-span">
        {d.span_tokens === null
          ? `${d.turns.length} lines over run turns ${at(0)}–${at(d.turns.length - 1)}`
          : `spanned ${count(d.span_tokens)} tokens${d.memory_span !== null ? ` of a memory span of ${count(d.memory_span)}${over ? ' (over it: a failure may be the overrun’s)' : ''}` : ''}, run turns ${at(0)}–${at(d.turns.length - 1)}`}
      </p>
      <table>
        <thead>
          <tr>
            <th>Line</th>
            <th>Run turn</th>
            <th>Turns between</th>
            <th>Time since the line before</th>
            <th></th>
          </tr>
        </thead>
        <tbody id="timeline-rows">
          {d.turns.map((t, i) => {
            const gap = i === 0 ? null : at(i) - at(i - 1) - 1;
            const a = i === 0 ? null : ms(i - 1);
            const b = ms(i);
            return (
              <tr key={t.turn_id} class={t.is_question ? 'question' : undefined}>
                <td>{t.index}</td>
                <td>{String(t.turn_id)}</td>
                <td>{gap === null ? '—' : `${gap} (filler and other tests)`}</td>
                <td>{a === null || b === null ? '—' : `${((b - a) / 1000).toFixed(1)} s`}</td>
                <td>{t.is_question ? 'question' : ''}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
