/**
 * An empty array already of the elements kind that holds any value, for an array that will
 * hold objects or strings. Why: `[]` starts as an array of small integers, so the first
 * object stored into each fresh one changes its kind, and optimized code that stores into
 * it, having met arrays of both kinds, deoptimizes ("not a Smi", then "wrong map"). Every
 * world makes its engines', kernel's and observers' arrays afresh, so each seed of a check
 * worker's first few threw optimized code away and compiled it again. A literal holding
 * `undefined` is born of the general kind, and emptying it keeps the kind.
 */
export function objectArray<T>(): T[] {
  const array: (T | undefined)[] = [undefined];
  array.pop();
  return array as T[];
}
