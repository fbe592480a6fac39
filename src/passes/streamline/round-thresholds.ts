/** Thresholds on integer inputs: exact reals snap to integers, then T = ⌈T⌉, clipped to [min, max + 1] of the input type. */
import type { Graph, Node } from '../../ir/graph.ts';
import { replaceNodes } from '../../ir/index.ts';
import { dtMax, dtMin, isIntegral } from '../../ir/datatype.ts';
import { emitter } from '../util.ts';
import { rewriteAll, type Pass } from '../pass.ts';
import { fail } from '../../util/errors.ts';

/** Ceiling that treats values within float rounding of an integer as that integer (the real-number threshold). */
export function snapCeil(t: number): number {
  const r = Math.round(t);
  return Math.abs(t - r) <= 1e-9 * Math.max(1, Math.abs(t)) ? r : Math.ceil(t);
}

/** Smallest integer above t (x > t on integers), treating values within float rounding of an integer as that integer. */
export function snapFloorPlusOne(t: number): number {
  const r = Math.round(t);
  return Math.abs(t - r) <= 1e-9 * Math.max(1, Math.abs(t)) ? r + 1 : Math.ceil(t);
}

function rounded(g: Graph, mt: Node): Float64Array | undefined {
  const x = g.tensors.get(mt.inputs[0]!)!;
  const t = g.tensors.get(mt.inputs[1]!)?.value;
  if (!t || !isIntegral(x.dtype) || mt.op.kind !== 'MultiThreshold') return undefined;
  if (t.data.some((v) => Number.isNaN(v))) {
    fail('E_STREAMLINE', `node ${mt.name}: its thresholds contain NaN (computed from the model's scales, biases or BatchNormalization parameters)`,
      'check the model for zero or negative variances, zero scales and non-finite constants');
  }
  const lo = dtMin(x.dtype), hi = dtMax(x.dtype) + 1;
  const ties = mt.op.evenTies, steps = t.shape[1] ?? 1;
  // a strict threshold (odd level of a round-half-even quantizer) is x > t, i.e. x ≥ ⌊t⌋ + 1
  const strict = (i: number): boolean => ties !== undefined && (ties + (i % steps)) % 2 !== 0;
  const out = t.data.map((v, i) => Math.min(hi, Math.max(lo, Number.isFinite(v) ? (strict(i) ? snapFloorPlusOne(v) : snapCeil(v)) : v)));
  return ties === undefined && out.every((v, i) => v === t.data[i]) ? undefined : out;
}

export const roundThresholds: Pass = {
  name: 'streamline/round-thresholds',
  summary: 'integer-input thresholds: ceil and clip to the input range',
  run: (g) => rewriteAll(g, (cur) => {
    const mt = cur.nodes.find((n) => n.op.kind === 'MultiThreshold' && rounded(cur, n));
    if (!mt) return undefined;
    const data = rounded(cur, mt)!;
    const e = emitter(cur);
    const t = e.constant(`${mt.name}_thres`, { shape: cur.tensors.get(mt.inputs[1]!)!.value!.shape, data });
    const { evenTies: _, ...op } = mt.op as Extract<typeof mt.op, { kind: 'MultiThreshold' }>;
    e.node(mt.name, op, [mt.inputs[0]!, t], [...mt.outputs]);
    return replaceNodes(cur, [mt], e.nodes, e.tensors);
  }),
};
