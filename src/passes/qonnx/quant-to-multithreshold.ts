/** Activation quantizers (Quant, BipolarQuant) become MultiThreshold (+ Mul by the scale). */
import type { Graph, Node } from '../../ir/graph.ts';
import { BIPOLAR, smallestIntType, type DataType } from '../../ir/datatype.ts';
import type { Tensor } from '../../ir/tensor.ts';
import { replaceNodes } from '../../ir/index.ts';
import { quantRange } from '../../exec/quant.ts';
import { fail } from '../../util/errors.ts';
import { emitter, perChannel, uniformValue } from '../util.ts';
import { rewriteAll, type Pass } from '../pass.ts';

function channelVector(g: Graph, n: Node, idx: number, shape: readonly number[]): Float64Array {
  const c = g.tensors.get(n.inputs[idx]!)?.value;
  if (!c) fail('E_UNSUPPORTED_OP', `node ${n.name} (${n.op.kind}): input ${idx} must be a constant`, 'only quantizers with constant scale/zero-point/bit-width are supported');
  const v = perChannel(c, shape, Math.min(1, shape.length - 1));
  if (!v) fail('E_UNSUPPORTED_OP', `node ${n.name}: quantizer parameters must be per-tensor or per-channel (axis 1)`);
  return v;
}

/** Thresholds [C or 1, S] where q = clamp(round(x/s + z)) reaches each level qmin+1 … qmax. */
function quantThresholds(n: Node, s: Float64Array, z: Float64Array, lo: number, hi: number): Tensor {
  if (n.op.kind !== 'Quant') fail('E_INTERNAL', 'not a Quant');
  const offset = n.op.rounding === 'ROUND' ? 0.5 : n.op.rounding === 'FLOOR' ? 0 : NaN;
  if (Number.isNaN(offset)) fail('E_UNSUPPORTED_OP', `node ${n.name}: activation Quant with rounding_mode ${n.op.rounding} is not supported (ROUND, FLOOR are)`);
  const uniform = s.every((v) => v === s[0]) && z.every((v) => v === z[0]);
  const rows = uniform ? 1 : s.length;
  const steps = hi - lo;
  const t = new Float64Array(rows * steps);
  for (let c = 0; c < rows; c++) {
    if (!(s[c]! > 0)) fail('E_UNSUPPORTED_OP', `node ${n.name}: activation scale must be positive, channel ${c} has ${s[c]}`);
    for (let k = 0; k < steps; k++) t[c * steps + k] = s[c]! * (lo + 1 + k - offset - z[c]!);
  }
  return { shape: [rows, steps], data: t };
}

/** MultiThreshold attributes and thresholds equivalent to the quantizer (before its output scale). */
/** Widest activation quantizer turned into thresholds (2^16 - 1 per channel). */
const MAX_ACT_BITS = 16;

function thresholdForm(g: Graph, n: Node, s: Float64Array, shape: readonly number[]): { t: Tensor; outBias: number; outScale: number; outType: DataType; evenTies?: number } {
  if (n.op.kind === 'BipolarQuant') return { t: { shape: [1, 1], data: Float64Array.of(0) }, outBias: -1, outScale: 2, outType: BIPOLAR };
  if (n.op.kind !== 'Quant') fail('E_INTERNAL', 'not a quantizer');
  const z = channelVector(g, n, 2, shape);
  const bits = uniformValue(g.tensors.get(n.inputs[3]!)!.value!);
  if (bits === undefined || !Number.isInteger(bits) || !z.every(Number.isInteger)) fail('E_UNSUPPORTED_OP', `node ${n.name}: activation Quant needs a uniform integer bit width and integer zero-point`);
  if (bits < 1 || bits > MAX_ACT_BITS) fail('E_UNSUPPORTED_OP', `node ${n.name}: an activation Quant of ${bits} bits would need 2^${bits} - 1 thresholds per channel (at most ${MAX_ACT_BITS} bits)`);
  const z0 = z[0]!;
  if (!z.every((v) => v === z0)) fail('E_UNSUPPORTED_OP', `node ${n.name}: per-channel zero-points are not supported for activations`);
  const [lo, hi] = quantRange(bits, n.op.signed, n.op.narrow);
  // ROUND is half to even: a tie reaches the upper level only when that level is even
  const ties = n.op.rounding === 'ROUND' ? { evenTies: lo + 1 } : {};
  return { t: quantThresholds(n, s, z, lo, hi), outBias: lo - z0, outScale: 1, outType: smallestIntType(lo - z0, hi - z0), ...ties };
}

function rewriteOne(g: Graph): Graph | undefined {
  const n = g.nodes.find((m) => (m.op.kind === 'Quant' || m.op.kind === 'BipolarQuant') && !g.tensors.get(m.inputs[0]!)?.value);
  if (!n) return undefined;
  const shape = g.tensors.get(n.inputs[0]!)!.shape;
  const e = emitter(g);
  const out = n.outputs[0]!;
  const s = channelVector(g, n, 1, shape);
  const form = thresholdForm(g, n, s, shape);
  const unitScale = s.every((v) => v === 1);
  const mtOut = unitScale ? out : e.value(`${n.name}_q`, shape, form.outType);
  const t = e.constant(`${n.name}_thres`, form.t);
  e.node(n.name, { kind: 'MultiThreshold', outScale: form.outScale, outBias: form.outBias, outType: form.outType, channelsLast: false, ...(form.evenTies !== undefined ? { evenTies: form.evenTies } : {}) }, [n.inputs[0]!, t], [mtOut]);
  if (!unitScale) {
    const cshape = shape.length < 2 || s.length === 1 ? [1] : shape.map((_, i) => (i === 1 ? s.length : 1));
    const scale = e.constant(`${n.name}_scale`, { shape: cshape, data: s.length === 1 ? s : Float64Array.from(s) });
    e.node(`${n.name}_mul`, { kind: 'Mul' }, [mtOut, scale], [out]);
  }
  return replaceNodes(g, [n], e.nodes, e.tensors);
}

export const quantToMultiThreshold: Pass = {
  name: 'qonnx/quant-to-multithreshold',
  summary: 'activation Quant/BipolarQuant → MultiThreshold (+ Mul scale)',
  run: (g) => rewriteAll(g, rewriteOne),
};

