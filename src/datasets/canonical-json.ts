/**
 * JSON with object keys sorted at every depth, two-space indent and a
 * trailing newline: the same value always gives the same bytes, whatever
 * order its keys were built in, so dataset hashes are reproducible.
 */
export function canonicalJson(value: unknown): string {
  return `${JSON.stringify(value, sortKeys, 2)}\n`;
}

function sortKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries);
}
