// Regenerates scenarios/scenario.schema.json from the zod schema: `npm run schema`.
import { writeFileSync } from 'node:fs';
import { scenarioJsonSchema } from '../sim/harness/scenario/schema.ts';

writeFileSync(new URL('../scenarios/scenario.schema.json', import.meta.url), JSON.stringify(scenarioJsonSchema(), null, 2) + '\n');
