// End to end in a real browser: Debian's Chromium, driven by playwright-core, opens the
// report from a file and must find every chart drawn, no console error and no request
// other than the file itself. Skipped only outside CI where no Chromium is installed;
// under CI (.ci/run installs it) a missing Chromium fails the test.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const BIN = new URL('../../bin/depotsim.js', import.meta.url).pathname;
const SCENARIOS = new URL('../../scenarios/', import.meta.url).pathname;

function depotsim(args: string[], cwd: string): void {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });
  if (result.status !== 0 && !(args[0] === 'run' && result.status === 1)) throw new Error(`depotsim ${args.join(' ')}: ${result.stderr}`);
}

interface Opened {
  charts: number;
  svgs: number;
  errors: string[];
  requests: string[];
  /** The y-axis labels of the request-rate small multiples, one per kind. */
  rateRows: string[];
  traceLink: string | null;
}

async function open(browser: Browser, file: string): Promise<Opened> {
  const page = await browser.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`file://${file}`);
  await page.waitForSelector('body[data-charts]', { timeout: 15_000 });
  const charts = Number(await page.getAttribute('body', 'data-charts'));
  const svgs = await page.locator('section.chart svg').count();
  const rates = page.locator('section.chart', { hasText: 'Requests started per minute' });
  const rateRows = await rates.locator('svg [aria-label="y-axis label"]').allTextContents();
  const traceLink = (await page.locator('a#trace').count()) > 0 ? await page.getAttribute('a#trace', 'href') : null;
  await page.close();
  return { charts, svgs, errors, requests, rateRows, traceLink };
}

describe.skipIf(CHROMIUM === undefined && process.env.CI === undefined)('report.html in headless Chromium', { timeout: 120_000 }, () => {
  const cwd = mkdtempSync(join(tmpdir(), 'depotsim-report-'));
  let browser: Browser;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM ?? '', args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser.close();
  });

  it('draws every chart of a run, offline, without console errors', async () => {
    depotsim(['run', join(SCENARIOS, 'nexus-race-stale-delete.yaml'), '--out', 'run', '--trace'], cwd);
    depotsim(['report', 'run'], cwd);
    const file = join(cwd, 'run', 'report.html');
    const result = await open(browser, file);
    expect(result.errors).toEqual([]);
    expect(result.requests).toEqual([`file://${file}`]);
    expect(result.charts).toBe(7);
    // Every chart but the parameter table is an SVG plot (some with a legend, itself an SVG).
    expect(result.svgs).toBeGreaterThanOrEqual(6);
    // Request rates as small multiples, one row per kind the run sent, each on its own scale.
    expect(result.rateRows.map((l) => l.replace(/[^\w /]/g, '').trim())).toEqual(['list / min', 'put / min', 'copy / min', 'delete / min']);
    expect(result.traceLink).toBe('trace.json');
  });

  it('draws the heat maps, verdict counts and Pareto points of a sweep', async () => {
    const scenario = join(SCENARIOS, 'nexus-race-stale-delete.yaml');
    depotsim(['sweep', scenario, '--grid', 'engine.generation=merged,generation', '--grid', 'engine.min_sled_replication=1,3', '--seeds', '2', '--workers', '1', '--out', 'sweep'], cwd);
    depotsim(['report', 'sweep'], cwd);
    const file = join(cwd, 'sweep', 'report.html');
    const result = await open(browser, file);
    expect(result.errors).toEqual([]);
    expect(result.requests).toEqual([`file://${file}`]);
    // One pair of grid parameters: three heat maps, then verdicts and Pareto points.
    expect(result.charts).toBe(5);
    expect(result.svgs).toBeGreaterThanOrEqual(5);
  });
});
