/**
 * The accelerator's input/output contract: how a user's input (what the original model takes, usually floats)
 * becomes the integers the input stream carries, and how the output stream's integers become what the user asked for
 * (a class index, the top k, the model's scores, a yes/no decision). Decided by the pre-post step, recorded in the
 * graph metadata (`io_contract`), io_contract.json, build_status.json and the driver, applied by `finn exec`/`eval`.
 */
import type { Graph } from '../ir/graph.ts';
import { transpose } from '../ir/tensor.ts';
import { quantRange, roundWith } from '../exec/quant.ts';
import type { RoundingMode } from '../ir/ops.ts';
import { fail } from '../util/errors.ts';

/** Where the model's input quantizer runs, and what the host does first. */
export interface InputContract {
  /** image: raw UINT8 pixels (x·255); features: a float vector quantized as the model's first quantizer does; hardware/integer: taken as is. */
  readonly kind: 'image' | 'features' | 'integer' | 'hardware';
  /** Why this kind was chosen (the rule or the flag). */
  readonly reason: string;
  /** The original model's input shape (with batch). */
  readonly shape: readonly number[];
  /** The accelerator input's datatype (e.g. UINT8, INT8, BIPOLAR). */
  readonly dtype: string;
  /** Where the model's first quantizer runs: on the host (before streaming) or in the accelerator (as thresholds). */
  readonly quantizer: 'host' | 'accelerator' | 'none';
  /** Host steps, in order: x ← x·scale + offset (per tensor or per element), then q = clamp(round(x/s + z)). */
  readonly affine?: { readonly scale: readonly number[]; readonly offset: readonly number[] };
  /**
   * A Quant (clamp(round(x/s + z))) or, with `bipolar`, a BipolarQuant (x ≥ 0 → +1, else −1). Rounding 'ODD' (fixed-point
   * inputs) is round to odd: a value on the grid stays, any other goes to its odd neighbour.
   */
  readonly quant?: { readonly scale: readonly number[]; readonly zeroPoint: number; readonly bits: number; readonly signed: boolean; readonly narrow: boolean; readonly rounding: RoundingMode | 'ODD'; readonly bipolar?: boolean };
  /**
   * A float feature input with its quantizer in the accelerator: the stream carries fixed-point numbers (ap_fixed<bits,
   * intBits>; `quant` rounds to odd and saturates); `transitionsOnGrid`: the quantizer's transition points lie on the
   * even codes (then every input quantizes exactly as in the model).
   */
  readonly fixed?: { readonly bits: number; readonly intBits: number; readonly signed: boolean; readonly transitionsOnGrid: boolean; readonly chosen: string };
}

export interface OutputContract {
  /** top1 / topk: class indices; scores: the model's output = accumulators·scale + bias (per class); decision: 1/0. */
  readonly kind: 'top1' | 'topk' | 'scores' | 'decision';
  readonly k?: number;
  /** Dequantization of the output stream to the model's scores (scores only). */
  readonly dequant?: { readonly scale: readonly number[]; readonly bias: readonly number[] };
  /** A trailing monotone op that was removed and is applied by the host for scores (or dropped for indices). */
  readonly removed?: string;
  readonly reason: string;
}

export interface IoContract {
  readonly input: InputContract;
  readonly output?: OutputContract;
}

const KEY = 'io_contract';

/** The contract recorded in a graph's metadata, if any. */
export function contractOf(g: Graph): IoContract | undefined {
  const s = g.meta[KEY];
  if (!s) return undefined;
  try {
    return JSON.parse(s) as IoContract;
  } catch {
    return fail('E_ONNX_MODEL', `the graph's ${KEY} metadata is not valid JSON`, 'rebuild from the original model');
  }
}

/** The graph with the contract recorded in its metadata. */
export function withContract(g: Graph, c: IoContract): Graph {
  return { ...g, meta: { ...g.meta, [KEY]: JSON.stringify(c) } };
}

const at = (v: readonly number[], i: number): number => (v.length === 1 ? v[0]! : v[i]!);

/** Round to odd: integers stay, anything else goes to the odd one of its two integer neighbours. */
export function roundToOdd(v: number): number {
  const f = Math.floor(v);
  return v === f || f % 2 !== 0 ? f : f + 1;
}

/** The accelerator's input frame for one original model input (floats in the model's input layout). */
export function hostInput(c: InputContract, x: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(x);
  const a = c.affine;
  if (a) for (let i = 0; i < out.length; i++) out[i] = out[i]! * at(a.scale, i) + at(a.offset, i);
  const q = c.quant;
  if (q?.bipolar) {
    for (let i = 0; i < out.length; i++) out[i] = out[i]! >= 0 ? 1 : -1;
  } else if (q) {
    const [lo, hi] = quantRange(q.bits, q.signed, q.narrow);
    const round = q.rounding === 'ODD' ? roundToOdd : (v: number) => roundWith(q.rounding as RoundingMode, v);
    for (let i = 0; i < out.length; i++) out[i] = Math.min(hi, Math.max(lo, round(out[i]! / at(q.scale, i) + q.zeroPoint)));
  }
  return out;
}

/** Apply the layout change the host makes (recorded by hw/absorb-input-transpose), to a frame in the model's layout. */
export function hostLayout(g: Graph, frame: Float64Array): Float64Array {
  const perm = g.meta.host_input_perm, shape = g.meta.host_input_shape;
  if (!perm || !shape) return frame;
  return transpose({ shape: shape.split(',').map(Number), data: frame }, perm.split(',').map(Number)).data;
}

/** What the user gets for one output frame of the accelerator. */
export function hostOutput(c: OutputContract | undefined, y: ArrayLike<number>): Float64Array {
  if (!c || c.kind !== 'scores' || !c.dequant) return Float64Array.from(y);
  const { scale, bias } = c.dequant;
  const out = Float64Array.from(y, (v, i) => v * at(scale, i) + at(bias, i));
  if (c.removed === 'Softmax' || c.removed === 'LogSoftmax') {
    const mx = Math.max(...out);
    const e = out.map((v) => Math.exp(v - mx));
    const sum = e.reduce((s, v) => s + v, 0);
    return c.removed === 'Softmax' ? e.map((v) => v / sum) : out.map((v) => v - mx - Math.log(sum));
  }
  if (c.removed === 'Sigmoid') return out.map((v) => 1 / (1 + Math.exp(-v)));
  return out;
}
