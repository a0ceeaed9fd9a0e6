import { validateFile } from '../../config/validate-file.js';

/**
 * `referee validate <file..>`: checks configs, suites and task files without running.
 * issue 17: every file, every problem (one line each on stderr); exit 2 if any.
 */
export async function validateCommand(files: string[]): Promise<number> {
  let bad = 0;
  for (const file of files) {
    const r = await validateFile(file);
    if (r.summary !== null) process.stdout.write(`${file}: valid ${r.summary}\n`);
    for (const p of r.problems) process.stderr.write(`referee: ${p}\n`);
    if (r.problems.length) bad++;
  }
  if (bad && files.length > 1) process.stderr.write(`referee: ${bad} of ${files.length} files invalid\n`);
  return bad ? 2 : 0;
}
