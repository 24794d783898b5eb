// Screenshots for the README: `npm run screenshots [-- run|sweep|trace…]` (needs Debian's
// chromium). Writes docs/screenshots/{run,sweep}-report.png and trace-stale-delete.png.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { traceTimelineHtml } from './trace-timeline.ts';

const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'depotsim-shots-'));
const depotsim = (...args: string[]): void => {
  spawnSync(process.execPath, [join(root, 'bin/depotsim.js'), ...args], { cwd: work, stdio: 'inherit' });
};
const sections = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['run', 'sweep', 'trace'];

if (sections.includes('run')) {
  depotsim('run', join(root, 'scenarios/rack-day.yaml'), '--seed', '3', '--out', 'run');
  depotsim('report', 'run');
}
if (sections.includes('sweep')) {
  depotsim(
    'sweep', join(root, 'scenarios/baseline.yaml'),
    '--grid', 'engine.generation=review,merged,generation', '--grid', 'engine.min_sled_replication=1,2,3,4,5',
    '--seeds', '4', '--out', 'sweep',
  );
  depotsim('report', 'sweep');
}
if (sections.includes('trace')) {
  // nexus-0 writes v1 to every sled at 5m01s–5m05s; nexus-1's stale DELETEs, sent at 5m39s, land at 5m59s.
  depotsim('run', join(root, 'scenarios/nexus-race-stale-delete.yaml'), '--out', 'race', '--trace');
  const html = traceTimelineHtml(readFileSync(join(work, 'race', 'trace.json'), 'utf8'), {
    from: 295,
    to: 385,
    processes: ['nexus-0', 'nexus-1', 'sled-0', 'sled-1', 'datastore'],
    title: 'nexus-race-stale-delete, seed 1: trace.json from 4m55s to 6m25s (nexus-0, nexus-1, two of the eight sleds, datastore)',
  });
  writeFileSync(join(work, 'race', 'timeline.html'), html);
}

const out = join(root, 'docs/screenshots');
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
for (const name of ['run', 'sweep'].filter((s) => sections.includes(s))) {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await page.goto(`file://${join(work, name, 'report.html')}`);
  await page.waitForSelector('body[data-charts]');
  await page.screenshot({ path: join(out, `${name}-report.png`), fullPage: true });
  await page.close();
}
if (sections.includes('trace')) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 600 } });
  await page.goto(`file://${join(work, 'race', 'timeline.html')}`);
  await page.screenshot({ path: join(out, 'trace-stale-delete.png'), fullPage: true });
  await page.close();
}
await browser.close();
// The reports photographed are this script's own, in the directory it made: gone with it.
rmSync(work, { recursive: true, force: true });
process.stdout.write(`screenshots in ${out}\n`);
