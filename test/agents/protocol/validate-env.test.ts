import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../../helpers.js';

// issue 21: validate refuses what run refuses, with the same line.
describe('validate checks a protocol agent\'s environment variables as run does', () => {
  const dir = tempDir('referee-validate-env-');
  const http = join(dir, 'http.yaml');
  const stdio = join(dir, 'stdio.yaml');
  writeFileSync(http, 'name: h\nkind: http\nhttp:\n  url: http://127.0.0.1:9/agent\n  headers: { Authorization: "Bearer ${REFEREE_TEST_UNSET_TOKEN}" }\n');
  writeFileSync(stdio, 'name: s\nkind: stdio\nstdio:\n  command: python3\n  args: [agent.py]\n  env: { KEY: "${REFEREE_TEST_UNSET_KEY}" }\n');
  const env = { REFEREE_TEST_UNSET_TOKEN: '', REFEREE_TEST_UNSET_KEY: '' };

  it('an unset ${VAR} in http.headers or stdio.env fails validate, exit 2, with run\'s message', async () => {
    const v = await runCli(['validate', http, stdio], { env });
    expect(v.code).toBe(2);
    expect(v.stderr.trim().split('\n')).toEqual([
      `referee: ${http}: environment variable REFEREE_TEST_UNSET_TOKEN (used in http.headers.Authorization) is not set or empty`,
      `referee: ${stdio}: environment variable REFEREE_TEST_UNSET_KEY (used in stdio.env.KEY) is not set or empty`,
      'referee: 2 of 2 files invalid',
    ]);
    const run = await runCli(['run', '--quiet', '--agent-config', http, '--runs-dir', join(dir, 'runs')], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`${v.stderr.split('\n')[0]}\n`);
  });

  it('passes once the variables are set', async () => {
    const v = await runCli(['validate', http, stdio], { env: { REFEREE_TEST_UNSET_TOKEN: 't0ken', REFEREE_TEST_UNSET_KEY: 'k3y' } });
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toBe(`${http}: valid agent config\n${stdio}: valid agent config\n`);
  });
});
