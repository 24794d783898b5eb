import { InputError } from '../scenario/input-error.ts';
import { loadScenario, parseOverride } from '../scenario/load.ts';

/** The one-line error of loading `text` with `sets`; fails the test on anything but an InputError. */
export function scenarioProblem(text: string, sets: string[] = []): string {
  try {
    loadScenario('s.yaml', text, sets.map(parseOverride));
  } catch (err) {
    if (err instanceof InputError) return err.toString();
    throw err;
  }
  throw new Error('expected an InputError');
}
