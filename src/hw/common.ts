/** Helpers shared by hardware layers: FINN's memory models and threshold application. */
import type { DataType } from '../ir/datatype.ts';
import { fail } from '../util/errors.ts';

/** RAMB18 count for a memory of `depth` words of `width` bits (FINN's model, SDP RAMB18s). */
export function bram18(depth: number, width: number): number {
  if (width <= 0 || depth <= 0) return 0;
  if (width === 1) return Math.ceil(depth / 16384);
  if (width === 2) return Math.ceil(depth / 8192);
  if (width <= 4) return Math.ceil(depth / 4096) * Math.ceil(width / 4);
  if (width <= 9) return Math.ceil(depth / 2048) * Math.ceil(width / 9);
  if (width <= 18 || depth > 512) return Math.ceil(depth / 1024) * Math.ceil(width / 18);
  return Math.ceil(depth / 512) * Math.ceil(width / 36);
}

/** URAM count for a memory (288-kbit URAMs as 4096 × 72). */
export function uram(depth: number, width: number): number {
  return Math.ceil(depth / 4096) * Math.ceil(width / 72);
}

/** Whether a memory goes to LUTRAM: FINN puts small memories (≤ 128 words) there unless block/ultra is forced. */
export function inLutram(style: string, depth: number): boolean {
  return style === 'distributed' || (style === 'auto' && depth <= 128);
}

/** Value a thresholding unit emits for `count` thresholds passed (bipolar: count 1 → +1, 0 → −1). */
export function activationValue(count: number, actVal: number, outType: DataType): number {
  return outType.kind === 'bipolar' ? 2 * count - 1 : actVal + count;
}

/** Count thresholds in row `row` of a [rows, steps] table that `v` reaches. */
export function thresholdCount(v: number, t: Float64Array, row: number, steps: number): number {
  let c = 0;
  const base = row * steps;
  for (let s = 0; s < steps; s++) if (v >= t[base + s]!) c++;
  return c;
}

/** Throw a clear folding error. */
export function foldError(node: string, msg: string, legal: readonly number[]): never {
  fail('E_FOLDING', `${node}: ${msg}`, `legal values: ${legal.join(', ')}`);
}
