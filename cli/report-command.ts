// `depotsim report DIR`: DIR/report.html for a run or a sweep, one self-contained file.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { runPageData, sweepPageData, type PageData } from '../reports/html/page-data.ts';
import { reportHtml } from '../reports/html/template.ts';
import { InputError } from '../sim/scenario/input-error.ts';
import { checkOutputFile, writeFileAtomically } from './files.ts';
import { EXIT } from './run-command.ts';

/** The page script with Observable Plot and d3 bundled in: the page needs no network. */
async function pageScript(): Promise<string> {
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
  if (!existsSync(dir)) throw new InputError(dir, 1, 1, 'expected a directory written by depotsim run or sweep');
  const files = new Map(
    readdirSync(dir)
      .filter((f) => /\.(csv|json|md)$/.test(f))
      .map((f) => [f, readFileSync(join(dir, f), 'utf8')] as const),
  );
  let data: PageData;
  if (files.has('run.json')) data = runPageData(files);
  else if (files.has('sweep.json') && files.has('sweep-summary.csv')) data = sweepPageData(files);
  else throw new InputError(dir, 1, 1, 'expected run.json (from depotsim run) or sweep.json and sweep-summary.csv (from depotsim sweep)');
  const file = join(dir, 'report.html');
  checkOutputFile(file, '', () => false);
  writeFileAtomically(file, reportHtml(data, await pageScript()));
  process.stderr.write(`wrote ${file}\n`);
  return EXIT.pass;
}
