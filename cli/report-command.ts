// `depotsim report DIR`: DIR/report.html for a run or a sweep, one self-contained file.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runPageData, sweepPageData, type PageData } from '../reports/html/page-data.ts';
import { reportHtml } from '../reports/html/template.ts';
import { InputError } from '../sim/harness/scenario/input-error.ts';
import { firstLine } from './crash-report.ts';
import { checkOutputFile, readInput, writeFileAtomically } from './files.ts';
import { readRunRecord, readSweepSpec } from './read-back.ts';
import { EXIT } from './run-command.ts';

const MAX_REPORT_BYTES = 1 << 30;

/** The page script with Observable Plot and d3 bundled in: the page needs no network. */
async function pageScript(): Promise<string> {
  // Imported here, not at the top: every command loads this module, and esbuild's API
  // alone costs about as much as Node's own start-up (BENCHMARKS.md, "Start-up").
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [new URL('../reports/html/page.ts', import.meta.url).pathname],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

export async function reportCommand(dir: string): Promise<number> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(dir, 1, 1, 'expected a directory written by depotsim run or sweep');
  // trace.json (tens of MB for a rack day) is linked, not read.
  const names = readdirSync(dir).filter((f) => /\.(csv|json|md)$/.test(f) && f !== 'trace.json');
  if (names.includes('run.json')) readRunRecord(dir);
  else if (names.includes('sweep.json') && names.includes('sweep-summary.csv')) readSweepSpec(dir);
  else throw new InputError(dir, 1, 1, 'expected run.json (from depotsim run) or sweep.json and sweep-summary.csv (from depotsim sweep)');
  // The reports of a large run are large (requests.csv of a rack day is 100 MB); the bound only refuses the absurd.
  const files = new Map(names.map((f) => [f, readInput(join(dir, f), MAX_REPORT_BYTES)] as const));
  let data: PageData;
  try {
    data = files.has('run.json') ? runPageData(files, existsSync(join(dir, 'trace.json'))) : sweepPageData(files);
  } catch (err) {
    throw new InputError(dir, 1, 1, `expected the reports depotsim wrote, got files it cannot chart (${firstLine(err)})`);
  }
  const file = join(dir, 'report.html');
  checkOutputFile(file, '', () => false);
  writeFileAtomically(file, reportHtml(data, await pageScript()));
  process.stderr.write(`wrote ${file}\n`);
  return EXIT.pass;
}
