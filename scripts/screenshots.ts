// Screenshots of a run report and a sweep report for the README: `npm run screenshots`
// (needs Debian's chromium). Writes docs/screenshots/{run,sweep}-report.png.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'depotsim-shots-'));
const depotsim = (...args: string[]): void => {
  spawnSync(process.execPath, [join(root, 'bin/depotsim.js'), ...args], { cwd: work, stdio: 'inherit' });
};

depotsim('run', join(root, 'scenarios/rack-day.yaml'), '--seed', '3', '--out', 'run');
depotsim('report', 'run');
depotsim(
  'sweep', join(root, 'scenarios/baseline.yaml'),
  '--grid', 'engine.generation=review,merged,generation', '--grid', 'engine.min_sled_replication=1,2,3,4,5',
  '--seeds', '4', '--out', 'sweep',
);
depotsim('report', 'sweep');

const out = join(root, 'docs/screenshots');
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
for (const name of ['run', 'sweep']) {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await page.goto(`file://${join(work, name, 'report.html')}`);
  await page.waitForSelector('body[data-charts]');
  await page.screenshot({ path: join(out, `${name}-report.png`), fullPage: true });
  await page.close();
}
await browser.close();
process.stdout.write(`screenshots in ${out}\n`);
