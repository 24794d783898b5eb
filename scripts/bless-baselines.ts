// Rewrites reports/baselines/*.csv from the current code: `npm run bless`. Review the diff
// before committing: every changed figure is a change in behaviour.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { regressionRun } from '../reports/regression.ts';
import { loadScenario } from '../sim/harness/scenario/load.ts';

const scenarios = new URL('../scenarios/', import.meta.url);
for (const file of readdirSync(scenarios).filter((f) => f.endsWith('.yaml')).sort()) {
  const scenario = loadScenario(file, readFileSync(new URL(file, scenarios), 'utf8'));
  const result = await regressionRun(scenario);
  writeFileSync(new URL(`../reports/baselines/${scenario.name}.csv`, import.meta.url), result.baseline);
  const note = result.unexpected.length === 0 ? '' : `  (unexpected verdicts: ${JSON.stringify(result.unexpected)})`;
  process.stdout.write(`blessed reports/baselines/${scenario.name}.csv${note}\n`);
}
