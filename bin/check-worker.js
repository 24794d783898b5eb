// Worker-thread entry for `depotsim check` and `sweep`: workers do not inherit the main
// thread's loader, so register tsx here before loading the TypeScript job.
import { register } from 'tsx/esm/api';

register();
const job = await import('../cli/check-job.ts');
export default job.default;
