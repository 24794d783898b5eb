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

/**
 * Zero as a heap number, not a small integer, to start a field that later holds numbers
 * past 2^30 (bytes, microseconds) or fractions. Why: V8 gives a field the representation
 * of its first value, and a field that held small integers and then gets a larger number
 * changes representation, which gives every object of the class a new map and throws away
 * the optimized code fed the old one ("wrong map", once in every worker's first seed).
 * Started as a heap number, the field holds a float from its first object on. A float
 * array's element is read as a heap number; the same value as `0` to every reader.
 */
export const FLOAT_ZERO: number = new Float64Array(1)[0] as number;
