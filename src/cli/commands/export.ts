import { exportGoodai } from '../../artifacts/goodai-export.js';

/** `referee export goodai <run-dir> <out-dir>` (issue 12): the run in GoodAI's layout. */
export function exportGoodaiCommand(runDir: string, outDir: string): number {
  const r = exportGoodai(runDir, outDir);
  process.stdout.write(`wrote ${r.definitions} definitions and ${r.results} results of agent ${r.agent} to ${r.dir} (GoodAI's layout)\n`);
  return 0;
}
