// Scale: the same release on ever larger racks, each run in a fresh process for its peak
// memory; the fitted exponent of wall time against sleds × artifacts.
import { fmt, heading, runChild, scenarioPath, sum, thousands } from './measure.ts';
import { recordFigure } from './targets.ts';

const SLEDS = [32, 128, 512, 1024];
const ARTIFACTS = 64;

/** Least-squares slope of log y against log x. */
function loglogSlope(xs: readonly number[], ys: readonly number[]): number {
  const lx = xs.map(Math.log);
  const ly = ys.map(Math.log);
  const mx = sum(lx) / lx.length;
  const my = sum(ly) / ly.length;
  let num = 0;
  let den = 0;
  lx.forEach((x, i) => {
    num += (x - mx) * ((ly[i] as number) - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

export async function scaleBench(): Promise<void> {
  heading(`scale: multi-rack (one ${ARTIFACTS}-artifact release, 3 Nexus, merged engine, 1 h), one seed per size, fresh process each`);
  const walls: number[] = [];
  for (const sleds of SLEDS) {
    const result = await runChild([scenarioPath('multi-rack'), '1', '--set', `rack.sleds=${sleds}`]);
    const wall = result.walls[0] as number;
    walls.push(wall);
    if (sleds === 1024) recordFigure('memory', result.maxRssMiB, `${fmt(result.maxRssMiB, 0)} MiB`);
    console.log(
      `${String(sleds).padStart(5)} sleds × ${ARTIFACTS} artifacts  ${fmt(wall).padStart(6)} s  ` +
        `peak RSS ${fmt(result.maxRssMiB, 0).padStart(5)} MiB  ${thousands(result.events / wall).padStart(9)} events/s`,
    );
  }
  const exponent = loglogSlope(SLEDS.map((s) => s * ARTIFACTS), walls);
  console.log(`wall time ~ (sleds × artifacts)^${fmt(exponent)}  (1 is linear)`);
  recordFigure('linear', exponent, fmt(exponent));
}
