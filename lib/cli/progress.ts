/** Progress on stderr: a bar on a terminal, a line per step otherwise (logs and CI stay readable). */
import { SingleBar } from 'cli-progress';
import type { CliIo } from './io';

/** Reports the steps of a long run. */
export interface Progress {
  update(step: string, done: number, total: number): void;
  stop(): void;
}

/** Creates progress reporting for `io`; `quiet` (e.g. `--json` to a pipe) only suppresses the per-step lines. */
export function createProgress(io: CliIo, quiet = false): Progress {
  if (io.interactive) {
    let bar: SingleBar | undefined;
    let current = '';
    return {
      update(step, done, total) {
        if (step !== current) {
          bar?.stop();
          current = step;
          bar = new SingleBar({
            format: `${step.padEnd(9)} [{bar}] {value}/{total}`,
            stream: process.stderr,
            hideCursor: true,
          });
          bar.start(total, done);
        }
        bar?.update(done);
      },
      stop: () => bar?.stop(),
    };
  }
  let last = '';
  return {
    update(step, done, total) {
      const line = `${step} ${done}/${total}`;
      // Lines only at the start and end of each step: a log must not get one line per job.
      if (quiet || line === last || (done !== 0 && done !== total)) return;
      last = line;
      io.err(line);
    },
    stop: () => {},
  };
}
