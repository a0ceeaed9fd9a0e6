import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../../helpers.js';

// issue 21: the commonest stdio pitfall, a Python agent whose piped stdout is buffered.
describe('a stdio agent that writes nothing on stdout', () => {
  it('times out with a hint to flush or run python -u', async () => {
    const dir = tempDir('referee-silent-');
    writeFileSync(
      join(dir, 'agent.py'),
      [
        'import json, sys',
        'for line in sys.stdin:',
        '    request = json.loads(line)',
        '    # No flush: stdout is a pipe, so Python keeps this in its buffer.',
        '    print(json.dumps({"id": request["id"], "result": {}}))',
        '',
      ].join('\n'),
    );
    // A short call timeout keeps the test quick; the assertion is on the message only.
    writeFileSync(join(dir, 'agent.yaml'), `name: buffered\nkind: stdio\nstdio:\n  command: python3\n  args: [${JSON.stringify(join(dir, 'agent.py'))}]\ntimeouts: { call_s: 0.5 }\n`);
    writeFileSync(join(dir, 'one.jsonl'), '{"id": "a", "prompt": "hi", "expected": "hi"}\n');
    const r = await runCli(['run', '--quiet', '--tasks', join(dir, 'one.jsonl'), '--agent-config', join(dir, 'agent.yaml'), '--runs-dir', join(dir, 'runs')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      `referee: agent 'buffered': could not start a session with 'python3 ${join(dir, 'agent.py')}': call to stdio agent 'python3 ${join(dir, 'agent.py')}' timed out (the agent wrote nothing on stdout: flush after each line, or run Python with \`python -u\`)`,
    ]);
  });
});
