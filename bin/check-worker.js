// Worker-thread entry for `depotsim check` and `sweep`.
import { load } from './load.js';

const job = await load('cli/check-job.ts');
export default job.default;
