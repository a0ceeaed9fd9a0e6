/** issue 17: `1 turn`, `2 turns`, `0 turns` in everything a person reads. */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : nouns}`;
}
