/** Progress lines on stderr, so stdout carries only the figures (or the JSON document). */

/** Writes one progress line. */
export function note(text: string): void {
  process.stderr.write(`bench: ${text}\n`);
}

/** Reports a long loop at most every few seconds, and at its end. */
export function createTicker(label: string, total: number, everyMs = 5000): (done: number, detail?: string) => void {
  const started = Date.now();
  let last = started;
  return (done, detail) => {
    const now = Date.now();
    if (done !== total && now - last < everyMs) return;
    last = now;
    const seconds = ((now - started) / 1000).toFixed(0);
    note(`${label} ${done}/${total}${detail ? ` (${detail})` : ''}, ${seconds} s`);
  };
}
