import { useEffect, useState } from 'preact/hooks';
import { api, type SampleDetail, type SampleTurn } from './api.js';
import { asText, count, score2 } from './format.js';
import { Timeline } from './Timeline.js';

function verdictText(d: SampleDetail): string {
  const s = d.sample;
  const score = s.score === null || s.score === undefined ? '—' : score2(s.score);
  return `${s.status.toUpperCase()} · score ${score}/${s.max_score ?? '—'}${(s.reasons ?? []).length ? '\n' + s.reasons!.join('\n') : ''}`;
}

/** What the turn's call took: latency, time to first token, tokens in and out, and a cut-off reply. */
function callText(t: SampleTurn): string {
  if (t.total_ms === null) return 'no call recorded';
  const parts = [`${Math.round(t.total_ms)} ms`];
  if (t.ttft_ms !== null) parts.push(`TTFT ${Math.round(t.ttft_ms)} ms`);
  parts.push(`${count(t.tokens_in)} in / ${count(t.tokens_out)} out`);
  if (t.status === 'error') parts.push('failed');
  if (t.finish_reason === 'length') parts.push('cut off at max_tokens');
  return parts.join(' · ');
}

/** The answer's mark where the scorer saw it: PASS on a full score, WRONG otherwise. */
const mark = (d: SampleDetail): string | null => (d.sample.max_score ? ((d.sample.score ?? 0) >= d.sample.max_score ? 'PASS' : 'WRONG') : null);

/**
 * One sample: the verdict and the scorer's reasons, expected against given, then the conversation
 * with each turn's number within the test, the question marked, its call's latency and tokens,
 * and the agent's metadata (retrieved memories). Everything a model wrote is rendered as text.
 */
export function SampleView({ runKey, testId, phoenixUrl }: { runKey: string; testId: string; phoenixUrl: string | null }) {
  const [d, setD] = useState<SampleDetail | null>(null);
  useEffect(() => {
    let live = true;
    setD(null);
    void api.sample(runKey, testId).then((body) => live && setD(body));
    return () => {
      live = false;
    };
  }, [runKey, testId]);
  if (!d) return null;
  const verdict = mark(d);
  return (
    <section class="card" id="sample">
      <h3>
        Sample <span id="sample-id">{d.sample.test_id}</span>
      </h3>
      <pre id="sample-verdict">{verdictText(d)}</pre>
      {d.expected !== null || d.given !== null ? (
        <table id="sample-expected">
          <tbody>
            <tr>
              <th>Expected</th>
              <td>
                <pre class="msg">{asText(d.expected)}</pre>
              </td>
            </tr>
            <tr>
              <th>Given</th>
              <td>
                <pre class="msg">{asText(d.given)}</pre>
              </td>
            </tr>
          </tbody>
        </table>
      ) : null}
      <Timeline d={d} />
      <div id="sample-turns">
        {d.turns.map((t) => (
          <div key={t.turn_id} class={t.is_question ? 'turn question' : 'turn'} data-turn={t.turn_id}>
            <h4>
              {`User · turn ${t.index} of ${d.turns.length}`}
              <span class="muted">{` (run turn ${t.turn_id})`}</span>
              {t.is_question ? <span class="badge question-badge">question</span> : null}
            </h4>
            <pre class="msg msg-user">{asText(t.user)}</pre>
            <h4>
              {`Agent · turn ${t.index}`}
              {t.is_question && verdict ? <span class={`badge verdict-${verdict.toLowerCase()}`}>{verdict}</span> : null}
              <span class="muted call">{` · ${callText(t)}`}</span>
              {phoenixUrl && t.span_id ? (
                <a class="phoenix-link" href={`${phoenixUrl}/redirects/spans/${encodeURIComponent(t.span_id)}`} target="_blank" rel="noopener">
                  trace in Phoenix
                </a>
              ) : null}
            </h4>
            <pre class="msg msg-agent">{asText(t.agent)}</pre>
            {Object.keys(t.metadata).length ? (
              <details class="metadata">
                <summary>agent metadata (retrieved memories)</summary>
                <pre>{asText(t.metadata)}</pre>
              </details>
            ) : null}
          </div>
        ))}
      </div>
    </section>
  );
}
