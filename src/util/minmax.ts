/** Minimum and maximum of a numeric array without spreading it into arguments (safe for millions of values). */
export function minMax(xs: ArrayLike<number>, init: readonly [number, number] = [Infinity, -Infinity]): [number, number] {
  let [lo, hi] = init;
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}
