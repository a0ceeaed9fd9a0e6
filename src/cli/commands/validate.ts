import { validateConfigFile } from '../../config/load.js';

/** `referee validate <file..>`: checks configs without running; the first error wins. */
export function validateCommand(files: string[]): number {
  for (const file of files) {
    const kind = validateConfigFile(file);
    process.stdout.write(`${file}: valid ${kind} config\n`);
  }
  return 0;
}
