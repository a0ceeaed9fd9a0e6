import { validateConfigFile } from '../../config/load.js';
import { loadSuite, loadTaskFile } from '../../tasks/load.js';

/** `referee validate <file..>`: checks configs, suites and task files without running; the first error wins. */
export function validateCommand(files: string[]): number {
  for (const file of files) process.stdout.write(`${file}: valid ${validateOne(file)}\n`);
  return 0;
}

function validateOne(file: string): string {
  if (/\.(jsonl|csv)$/i.test(file)) return `task file (${loadTaskFile(file).tasks.length} tasks)`;
  const kind = validateConfigFile(file);
  if (kind !== 'suite') return `${kind} config`;
  // Loads what the suite names too: its task files, agent configs and judge.
  const s = loadSuite(file);
  return `suite (${s.agents.length} agents x ${s.datasets.length} datasets${s.judge ? `, judge ${s.judge.config.name}` : ''})`;
}
