/** Helpers shared by hardware layers: FINN's memory models, threshold application, folding checks, attribute forms. */
import { dtName, type DataType } from '../ir/datatype.ts';
import type { Node } from '../ir/graph.ts';
import type { FpgaPart } from '../cost/parts.ts';
import { fail } from '../util/errors.ts';
import { ice40Ebrs, ice40RomInEbr, ice40RomLuts } from '../synth/script.ts';
import { divisors, type FinnAttr, type FinnAttrReader } from './layer.ts';

export const RAM_STYLES = ['auto', 'block', 'distributed', 'ultra'] as const;
export type RamStyle = (typeof RAM_STYLES)[number];

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

/** LUT estimates are for 6-input LUTs; 4-input LUTs need more of them. */
export function lutScale(part: FpgaPart): number {
  return part.lutInputs >= 6 ? 1 : 1.6;
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

/** Activation attributes of a MultiThreshold as the hardware implements them (count + actVal, or bipolar). */
export function hwActivation(mt: Node): { outType: DataType; actVal: number } {
  if (mt.op.kind !== 'MultiThreshold') return fail('E_INTERNAL', 'not a MultiThreshold');
  const { outScale, outBias, outType } = mt.op;
  if (mt.op.evenTies !== undefined) fail('E_TO_HW', `node ${mt.name}: MultiThreshold on a non-integer input (its thresholds could not be rounded)`, 'quantize the input of this layer');
  if (outType.kind === 'bipolar' && outScale === 2 && outBias === -1) return { outType, actVal: 0 };
  if (outScale !== 1 || !Number.isInteger(outBias)) {
    fail('E_TO_HW', `node ${mt.name}: MultiThreshold with out_scale ${outScale} / out_bias ${outBias} cannot be implemented in hardware`, 'the scale should have been moved out by streamlining; check the model for per-channel activation scales');
  }
  return { outType, actVal: outBias };
}

/** Throw a clear folding error. */
export function foldError(node: string, msg: string, legal: readonly number[]): never {
  return fail('E_FOLDING', `${node}: ${msg}`, `legal values: ${legal.join(', ')}`);
}

/** Check that a PE/SIMD value is a positive integer dividing `n` (`what` names n, e.g. "the 64 channels"). */
export function checkDivides(node: string, knob: 'PE' | 'SIMD', v: number, n: number, what: string): void {
  if (!Number.isInteger(v) || v < 1 || n % v !== 0) foldError(node, `${knob}=${v} must divide ${what}`, divisors(n));
}

/** Product of the entries (e.g. input vectors per frame from numInputVectors). */
export const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

/** "1 threshold" / "2 thresholds". */
export const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;

/** Builders of FINN attributes for writeFinn. */
export const fa = {
  int: (name: string, v: number | boolean): FinnAttr => ({ name, int: Number(v) }),
  ints: (name: string, v: readonly number[]): FinnAttr => ({ name, ints: v }),
  float: (name: string, v: number): FinnAttr => ({ name, float: v }),
  str: (name: string, v: string): FinnAttr => ({ name, str: v }),
  dtype: (name: string, t: DataType): FinnAttr => ({ name, str: dtName(t) }),
  dtypes: (name: string, ts: readonly DataType[]): FinnAttr => ({ name, strs: ts.map(dtName) }),
};

/** FINN's ram_style attribute. */
export const readRamStyle = (r: FinnAttrReader): RamStyle => r.oneOf('ram_style', RAM_STYLES, 'auto');

/** An attribute holding one or two integers (e.g. [H, W] or just H for square maps). */
export function readPair(r: FinnAttrReader, name: string, def?: readonly number[]): [number, number] {
  const v = r.ints(name, def);
  if (v.length < 1 || v.length > 2 || !v.every((x) => Number.isInteger(x) && x >= 0)) r.fail(`attribute ${name}=[${v.join(',')}] must be one or two non-negative integers`);
  return [v[0]!, v[1] ?? v[0]!];
}

/** iCE40 usage of a read-only memory of depth × width bits: EBRs, or LUT4s when style/size put it in logic. */
export function ice40Rom(depth: number, width: number, style: string): { LUT: number; EBR: number } {
  if (depth <= 1) return { LUT: 0, EBR: 0 }; // constants fold into the logic
  if (style === 'block' || style === 'ultra' || (style === 'auto' && ice40RomInEbr(depth, width))) return { LUT: 0, EBR: ice40Ebrs(depth, width) };
  return { LUT: ice40RomLuts(depth, width), EBR: 0 };
}
