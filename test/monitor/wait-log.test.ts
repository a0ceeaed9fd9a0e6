import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MasterLogType } from '../../src/artifacts/schemas.js';
import { WaitLog } from '../../src/monitor/wait-log.js';
import { countGoodaiTokens } from '../../src/tokens.js';
import { ROOT } from '../helpers.js';

const GOLDEN_MASTER_LOG = join(ROOT, 'test/fixtures/goodai/export-small/golden/results/ok-agent/master_log.jsonl');
type Rec = { type: number; test_id: string; data: { message?: string; tokens?: number } };

describe('the pending queue\'s token counts (issue 17)', () => {
  it('master_log records every message and reply with its cl100k count, as GoodAI counts them', () => {
    const recs = readFileSync(GOLDEN_MASTER_LOG, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Rec);
    const messages = recs.filter((r) => [MasterLogType.SEND_MESSAGE, MasterLogType.SEND_FILL, MasterLogType.RESPONSE_MESSAGE, MasterLogType.RESPONSE_FILL].includes(r.type as 0));
    expect(messages.length).toBeGreaterThan(20);
    for (const r of messages) expect(r.data.tokens, r.data.message).toBe(countGoodaiTokens(r.data.message ?? ''));
  });

  it('adds the recorded counts to every waiting test without tokenising, and counts older logs itself', () => {
    const never = (): number => {
      throw new Error('tokenised a message whose count was recorded');
    };
    const log = new WaitLog(never);
    log.apply({ type: MasterLogType.WAIT, test_id: 'Colours - 0', timestamp: 1, data: { tokens: 100, time: 0 } });
    log.apply({ type: MasterLogType.SEND_FILL, test_id: '', data: { message: 'x'.repeat(5000), tokens: 60 } });
    log.apply({ type: MasterLogType.RESPONSE_FILL, test_id: '', data: { message: "['a']", tokens: 3 } });
    expect(log.get('Colours - 0')?.tokens_passed).toBe(63);
    log.apply({ type: MasterLogType.SEND_MESSAGE, test_id: 'Colours - 0', data: { message: 'What is my favourite colour?', tokens: 7 } });
    expect(log.get('Colours - 0')).toBeUndefined();

    const older = new WaitLog(countGoodaiTokens);
    older.apply({ type: MasterLogType.WAIT, test_id: 'Colours - 1', timestamp: 1, data: { tokens: 100, time: 0 } });
    older.apply({ type: MasterLogType.SEND_FILL, test_id: '', data: { message: 'Q: What is the capital city of Thailand?, A: Bangkok\n' } });
    expect(older.get('Colours - 1')?.tokens_passed).toBe(countGoodaiTokens('Q: What is the capital city of Thailand?, A: Bangkok\n'));
  });
});
