import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readRunDir } from '../../src/artifacts/run-dir-reader.js';
import { loadAgentConfig, loadDatasetConfig } from '../../src/config/load.js';
import { computeRunMetrics } from '../../src/match/metrics.js';
import { escapeHtml, inlineScript, jsonForScript } from '../../src/report/escape.js';
import { radarData, singleReportData } from '../../src/report/report-data.js';
import { renderReportHtml } from '../../src/report/render.js';
import { runBenchmark } from '../../src/runner/run-benchmark.js';
import { ROOT, tempDir } from '../helpers.js';

const HOSTILE = '</script><script>window.__pwned=1</script><!-- <img src=x onerror="alert(1)"> \u2028 & "q"';

describe('escaping', () => {
  it('escapes HTML text and attribute values', () => {
    expect(escapeHtml('<a href="x">&\'</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;');
  });

  it('embeds JSON that cannot end its script element and parses back identically', () => {
    const value = { text: HOSTILE, nested: ['<!--', '</SCRIPT >'] };
    const json = jsonForScript(value);
    expect(json).not.toMatch(/<\/script/i);
    expect(json).not.toContain('<!--');
    expect(json).not.toContain('\u2028');
    expect(JSON.parse(json)).toEqual(value);
  });

  it('neutralises </script in trusted inline code', () => {
    expect(inlineScript('var s = "</script>"; var c = "<!--";')).toBe('var s = "<\\/script>"; var c = "<\\!--";');
  });
});

describe('radar normalization', () => {
  const base = { accuracy: 0.5, latency_p50_ms: 100, turns: 10, tokens_in: 900, tokens_out: 100, tests: 2, token_cost: 0.02, total_score: 1, max_score: 2, pricing_source: 'config' };
  it('scales two agents against each other, the better scoring 1', () => {
    const a = { ...base } as never;
    const b = { ...base, accuracy: 1, latency_p50_ms: 400, tokens_in: 400, token_cost: 0.01 } as never;
    const r = radarData([a, b]);
    expect(r.values[0]).toEqual([0.5, 1, 0.5, 0.5]);
    expect(r.values[1]).toEqual([1, 0.25, 1, 1]);
    expect(r.raw[1]![1]).toBe('p50 400 ms per model call');
  });
  it('uses fixed references for a single run', () => {
    const r = radarData([{ ...base, latency_p50_ms: 1000, tokens_in: 4900, tokens_out: 100, token_cost: 0 } as never]);
    expect(r.values[0]).toEqual([0.5, 0.5, 0.5, 1]);
  });
  it('leaves the cost axis out when a price is unknown rather than drawing it as free', () => {
    const r = radarData([{ ...base } as never, { ...base, pricing_source: 'unknown', agent_name: 'x', token_cost: 0 } as never]);
    expect(r.axes).toHaveLength(3);
    expect(r.values[1]).toHaveLength(3);
    expect(r.note).toMatch(/no price is known for x/);
  });
});

describe('report.html of a real run', () => {
  let runDir: string;
  let html: string;

  beforeAll(async () => {
    const result = await runBenchmark({
      agentConfig: loadAgentConfig(join(ROOT, 'configs/agents/memory.yaml')),
      datasetConfig: loadDatasetConfig(join(ROOT, 'configs/datasets/default.yaml')),
      outputDir: tempDir(),
    });
    runDir = result.runDir;
    const run = readRunDir(runDir);
    // A hostile answer, as if the model had written it.
    // The first turn of a real test (the lane opens with GoodAI's intro message, which reports do not show).
    const turn = run.transcripts.find((t) => t.test_id.includes('/'))!;
    turn.agent = HOSTILE;
    turn.metadata = { note: HOSTILE };
    html = renderReportHtml(singleReportData(run));
  });

  it('computes metrics that agree with runstats.json', () => {
    const run = readRunDir(runDir);
    const m = computeRunMetrics(run);
    expect(m.total_score).toBeCloseTo(run.stats!.score, 3);
    expect(m.tests).toBe(6);
    expect(m.turns).toBe(run.stats!.turns);
    expect(m.model).toBe('sim-1');
  });

  it('carries the hostile text only inside the escaped JSON blob', () => {
    expect(html).not.toContain('window.__pwned=1</script>');
    expect(html).not.toContain('<img src=x');
    const blob = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
    const data = JSON.parse(blob) as { tests: { turns: { answers: { text: string }[] }[] }[] };
    const texts = data.tests.flatMap((t) => t.turns.flatMap((tu) => tu.answers.map((a) => a.text)));
    expect(texts).toContain(HOSTILE);
  });

  it('inlines Chart.js with its license header and allows exactly the two inline scripts by hash', () => {
    expect(html).toMatch(/\/\*!\s*\n \* Chart\.js v4\.\d+\.\d+\n \* https:\/\/www\.chartjs\.org\n \* \(c\) \d{4} Chart\.js Contributors\n \* Released under the MIT License\n \*\//);
    expect(html).not.toContain('sourceMappingURL');
    expect(html).not.toMatch(/<script[^>]+src=/);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!.replace(/&#39;/g, "'");
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(2);
    for (const s of scripts) expect(csp).toContain(`'sha256-${createHash('sha256').update(s).digest('base64')}'`);
    expect(csp).toContain("default-src 'none'");
  });

  it('is written at the end of every CLI run', async () => {
    // runBenchmark alone has no HTML reporter; the CLI adds it (see test/match for CLI runs).
    const { HtmlReportReporter } = await import('../../src/report/report-reporter.js');
    const out = tempDir();
    const r = await runBenchmark({
      agentConfig: loadAgentConfig(join(ROOT, 'configs/agents/chat-small.yaml')),
      datasetConfig: loadDatasetConfig(join(ROOT, 'configs/datasets/default.yaml')),
      outputDir: out,
      reporters: [new HtmlReportReporter()],
    });
    const page = readFileSync(join(r.runDir, 'report.html'), 'utf8');
    expect(page).toContain('Referee report: chat-small');
  });
});
