/**
 * `referee merge DIR… --output-dir D`: the shards of a task run or suite (`referee run --shard i/N`)
 * written as the one run a single process would have written.
 */
import type { Argv } from 'yargs';
import { ConfigError } from '../../errors.js';
import { formatMatrix } from '../../tasks/run-suite.js';
import { mergeShards } from '../../shards/merge.js';
import { formatLtmMatrix } from '../../ltm-suite/format.js';
import type { LtmSuiteSummary } from '../../ltm-suite/run-ltm-suite.js';

export function mergeBuilder(y: Argv): Argv {
  return y
    .positional('shards', { type: 'string', array: true, describe: "Shards' runs directories (or their matrix-<id>.shard-<i>-of-<N>.json files)" })
    .option('output-dir', { type: 'string', describe: 'Where the merged run goes (its cells and matrix summary)' })
    .example('$0 merge runs/nightly --output-dir runs/nightly', 'every shard of --run-id nightly, found in runs/nightly, merged beside them');
}

export async function mergeCommand(argv: Record<string, unknown>): Promise<number> {
  const inputs = (argv['shards'] as string[] | undefined) ?? [];
  const outputDir = argv['output-dir'] as string | undefined;
  if (inputs.length === 0) throw new ConfigError('CONFIG_INVALID', 'command line: merge needs the shards: referee merge DIR… --output-dir D');
  if (outputDir === undefined) throw new ConfigError('CONFIG_INVALID', 'command line: merge needs --output-dir (where the merged run goes)');
  const { summary, summaryFile, shards } = await mergeShards({ inputs, outputDir });
  const table = (summary as { kind?: string }).kind === 'ltm' ? formatLtmMatrix(summary as unknown as LtmSuiteSummary) : formatMatrix(summary);
  process.stdout.write(`${[table, '', `merged ${shards} shards: ${summaryFile}`, ...((summary as unknown as Partial<LtmSuiteSummary>).runs ?? summary.cells).map((c) => c.run_dir)].join('\n')}\n`);
  return 0;
}
