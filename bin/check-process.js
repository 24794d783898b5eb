// Worker-process entry for `depotsim check` and `sweep` (cli/process-pool.ts): one job at a
// time from the parent, its result or its error back.
import { load } from './load.js';

// Listening before the bundle is loaded: a job sent meanwhile is not dropped. The parent
// names the state of the sources it hashed (cli/process-pool.ts).
const loaded = load('cli/check-job.ts', process.argv[2]);

process.on('message', async ({ job }) => {
  try {
    const { default: runCheckJob } = await loaded;
    process.send({ result: await runCheckJob(job) });
  } catch (err) {
    process.send({ error: { message: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined } });
  }
});
// The parent is done (or gone): nothing more will come.
process.on('disconnect', () => process.exit(0));
