/** Formats one SSE message; every line of multi-line data gets its own `data:` field. */
export function formatSse(msg: { id?: string; event?: string; data: string }): string {
  let out = '';
  if (msg.id !== undefined) out += `id: ${msg.id}\n`;
  if (msg.event) out += `event: ${msg.event}\n`;
  for (const line of msg.data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return out + '\n';
}
