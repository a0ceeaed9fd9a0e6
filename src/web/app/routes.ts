/** The viewer's addresses (hash routes, so a static bundle opened from disk routes the same). */
export const runPath = (key: string): string => `/run/${encodeURIComponent(key)}`;
export const samplePath = (key: string, test: string): string => `/run/${encodeURIComponent(key)}/sample/${encodeURIComponent(test)}`;
export const comparePath = (a: string, b: string): string => `/compare/${encodeURIComponent(a)}/${encodeURIComponent(b)}`;
export const suitePath = (name: string): string => `/suite/${encodeURIComponent(name)}`;
