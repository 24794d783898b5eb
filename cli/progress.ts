// Progress on stderr, only when stderr is a terminal: pipes and CI logs stay clean.
import { formatDuration } from '../sim/scenario/units.ts';

export interface Progress {
  update(t: number, end: number): void;
  done(): void;
}

export function simulatedTimeProgress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
  const started = performance.now();
  let last = 0;
  return {
    update(t, end) {
      const now = performance.now();
      if (now - last < 100) return;
      last = now;
      const pct = end === 0 ? 100 : Math.min(100, Math.floor((t / end) * 100));
      const rate = (t / 1e6) / Math.max(0.001, (now - started) / 1000);
      stream.write(`\r${label}: ${formatDuration(t)} of ${formatDuration(end)} simulated (${pct}%), ${Math.round(rate).toLocaleString('en-US')} sim s/s   `);
    },
    done() {
      stream.write('\r\x1b[K');
    },
  };
}
