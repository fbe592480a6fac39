/**
 * A float feature input whose first quantizer runs in the accelerator (`--input-quant accel`): the input stream
 * carries fixed-point numbers (hls4ml's ap_fixed<W,I>: W bits, I of them integer bits), the graph input becomes those
 * integers followed by a Mul by 2^-F (F = W − I), and the model's affine pre-processing and quantizer stay in the
 * graph, where streamlining turns them into a Thresholding layer.
 *
 * The host rounds to odd (a value on the grid stays, any other goes to its odd neighbour) and saturates. Why odd: when
 * every point where the quantizer's output changes lies on the grid of F − 1 fraction bits (an even code), an input
 * that is not on the grid lands strictly between the two even codes around it, so "x ≥ t" and the strict "x > t" of
 * round-half-even ties both hold for the code exactly when they hold for x — the accelerator quantizes every real
 * input exactly as the model does. Rounding down instead would move inputs just above a strict tie onto it.
 *
 * The format is the user's (`--input-fixed W,I`) or chosen here: the smallest F − 1 that puts every transition on the
 * grid (exact), else a grid 2^16 times finer than the finest quantizer step, at most 32 bits in all (an input within
 * one grid step of a transition may land one level off: on the keyword-spotting pattern 0 of 1,000 predictions differ,
 * 8 of 1,000 at 2^-10 of the step with rounding down); enough integer bits that every input beyond the outermost
 * transitions saturates to the same level.
 */
import type { Graph, Node } from '../../ir/graph.ts';
import { makeGraph } from '../../ir/index.ts';
import { dtName, int, uint, smallestIntType, type DataType } from '../../ir/datatype.ts';
import { fullShape, emitter } from '../util.ts';
import { quantRange } from '../../exec/quant.ts';
import { fail } from '../../util/errors.ts';
import type { InputContract } from '../../runtime/contract.ts';

/** A fixed-point format: `bits` in all, `frac` of them after the binary point. */
export interface FixedFormat { readonly bits: number; readonly frac: number; readonly signed: boolean }

/** Parse `W,I` (signed) or `uW,I` (unsigned), hls4ml's ap_fixed<W,I>/ap_ufixed<W,I>. */
export function parseFixed(s: string): FixedFormat {
  const m = /^(u?)(\d+),(-?\d+)$/i.exec(s.trim());
  const bits = m ? Number(m[2]) : NaN, intBits = m ? Number(m[3]) : NaN;
  if (!m || bits < 1 || bits > 32 || intBits > bits || intBits < -32) fail('E_USAGE', `--input-fixed "${s}": expected W,I (ap_fixed<W,I>) or uW,I with 1 ≤ W ≤ 32 and I ≤ W`, 'e.g. --input-fixed 16,6 for 16-bit numbers with 10 fraction bits');
  return { bits, frac: bits - intBits, signed: m[1] === '' };
}

/** Transitions on a grid of at most this many fraction bits make the format exact (one bit more for round to odd). */
const MAX_AUTO_FRAC = 24;
/** Otherwise the grid is 2^16 times finer than the finest quantizer step (at most 32 bits in all). */
const FINER_BITS = 16;

/** The points of the input (per element, x-space) where the first quantizer's output changes, for x·a + b → quant. */
function transitions(g: Graph, quant: Node, affine: { scale: number[]; offset: number[] }): { points: number[]; steps: number[] } {
  const n = affine.scale.length;
  const qin = g.tensors.get(quant.inputs[0]!)!.shape;
  const cv = (i: number): Float64Array => fullShape(g.tensors.get(quant.inputs[i]!)!.value!, qin).data;
  const s = cv(1);
  // v = y/s + z changes level at half-integers (round) or integers (floor/ceil/trunc): all k/2 in the level range
  let vs = [0];
  if (quant.op.kind === 'Quant') {
    const z = g.tensors.get(quant.inputs[2]!)!.value!.data[0]!, bits = g.tensors.get(quant.inputs[3]!)!.value!.data[0]!;
    const [lo, hi] = quantRange(bits, quant.op.signed, quant.op.narrow);
    vs = [];
    for (let k = 2 * lo; k <= 2 * hi; k++) vs.push(k / 2 - z);
  }
  const points: number[] = [], steps: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = affine.scale[i]!, b = affine.offset[i]!, si = s[i % s.length]!;
    if (a === 0) continue;
    for (const v of vs) points.push((v * si - b) / a);
    steps.push(Math.abs(si / a));
  }
  return { points, steps };
}

/** Choose a format from the transition points: see the module comment. */
function autoFormat(ts: readonly number[], steps: readonly number[]): FixedFormat {
  let frac = -1;
  for (let f = 0; f <= MAX_AUTO_FRAC && frac < 0; f++) if (ts.every((t) => Number.isInteger(t * 2 ** f))) frac = f + 1;
  if (frac < 0) frac = Math.max(0, Math.ceil(Math.log2(1 / steps.reduce((m, v) => Math.min(m, v), Infinity))) + FINER_BITS);
  const tmin = ts.reduce((m, v) => Math.min(m, v), Infinity), tmax = ts.reduce((m, v) => Math.max(m, v), -Infinity);
  for (; frac >= 0; frac--) {
    const t = smallestIntType(Math.floor(tmin * 2 ** frac) - 1, Math.ceil(tmax * 2 ** frac));
    if (t.kind === 'int' && t.bits <= 32) return { bits: t.bits, frac, signed: t.signed };
  }
  return fail('E_CONTRACT', `the first quantizer's transitions span [${tmin}, ${tmax}]: no fixed-point format of at most 32 bits holds them`, 'give the format with --input-fixed W,I, or use --input-quant host');
}

/** Rewrite the graph so that it takes fixed-point integers; the contract says how the host makes them. */
export function fixedPointInput(
  g: Graph, quant: Node, affine: { scale: number[]; offset: number[] }, given: FixedFormat | undefined, base: Pick<InputContract, 'kind' | 'reason' | 'shape'>,
): { graph: Graph; contract: InputContract } {
  const { points: ts, steps } = transitions(g, quant, affine);
  if (ts.length === 0) fail('E_CONTRACT', `quantizer ${quant.name}: the input does not reach it (all pre-processing scales are 0)`);
  const format = given ?? autoFormat(ts, steps);
  const onGrid = ts.every((t) => Number.isInteger(t * 2 ** (format.frac - 1)));
  const dtype: DataType = format.signed ? int(format.bits) : uint(format.bits);
  const e = emitter(g);
  const name = g.inputs[0]!;
  const info = g.tensors.get(name)!;
  const fx = e.value(`${name}_fixed`, info.shape, dtype);
  e.node(`${name}_from_fixed`, { kind: 'Mul' }, [fx, e.constant(`${name}_fixed_lsb`, { shape: [], data: Float64Array.of(2 ** -format.frac) })], [name]);
  const tensors = new Map(g.tensors);
  for (const t of e.tensors) tensors.set(t.name, t);
  const graph = makeGraph({ ...g, nodes: [...e.nodes, ...g.nodes], tensors, inputs: [fx] });
  const quantDesc = { scale: [2 ** -format.frac], zeroPoint: 0, bits: format.bits, signed: format.signed, narrow: false, rounding: 'ODD' as const };
  return {
    graph,
    contract: { ...base, dtype: dtName(dtype), quantizer: 'accelerator', quant: quantDesc, fixed: { bits: format.bits, intBits: format.bits - format.frac, signed: format.signed, transitionsOnGrid: onGrid, chosen: given ? '--input-fixed' : 'from the quantizer' } },
  };
}
