// Progress on stderr, only when stderr is a terminal: pipes and CI logs stay clean.
import { formatDuration } from '../sim/harness/scenario/units.ts';

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

/** Runs done of a known total, with failures, rate and ETA. */
export function countProgress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): { update(failures: number): void; done(): void } {
  if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
  const started = performance.now();
  let finished = 0;
  let last = 0;
  return {
    update(failures) {
      finished++;
      const now = performance.now();
      if (now - last < 100 && finished < total) return;
      last = now;
      const rate = finished / Math.max(0.001, (now - started) / 1000);
      const eta = Math.round((total - finished) / Math.max(rate, 1e-9));
      const width = 24;
      const filled = Math.round((finished / total) * width);
      stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${finished}/${total}, ${failures} failing, ${rate.toFixed(1)} runs/s, ETA ${eta}s   `);
    },
    done() {
      stream.write('\r\x1b[K');
    },
  };
}
