/** Integer ranges of computed values (used by datatype inference and the MVAU lowering). */
import type { Tensor } from './tensor.ts';

/** Range of x·W per output column for integer x in [lo, hi] and constant W [K, N]. */
const cache = new WeakMap<Tensor, Map<string, [number, number]>>();

export function matmulRange(w: Tensor, lo: number, hi: number): [number, number] {
  // passes run to a fixed point and ask again for the same (immutable) weights: remember per tensor
  const key = `${lo},${hi}`;
  const hit = cache.get(w)?.get(key);
  if (hit) return hit;
  const r = computeRange(w, lo, hi);
  if (!cache.has(w)) cache.set(w, new Map());
  cache.get(w)!.set(key, r);
  return r;
}

function computeRange(w: Tensor, lo: number, hi: number): [number, number] {
  const [k, n] = [w.shape[0]!, w.shape[1]!];
  let mn = Infinity, mx = -Infinity;
  for (let j = 0; j < n; j++) {
    let a = 0, b = 0;
    for (let i = 0; i < k; i++) {
      const v = w.data[i * n + j]!;
      a += Math.min(v * lo, v * hi);
      b += Math.max(v * lo, v * hi);
    }
    mn = Math.min(mn, a); mx = Math.max(mx, b);
  }
  return [mn, mx];
}
