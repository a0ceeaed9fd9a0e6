import { randomBytes } from 'node:crypto';

/** `<agent>-<UTC yyyymmddThhmmss>-<4 hex>`: sortable by time, unique across processes. */
export function newRunId(agentName: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '');
  return `${agentName}-${stamp}-${randomBytes(2).toString('hex')}`;
}
