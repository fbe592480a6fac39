/**
 * Float64 elementwise ops with the reference's formulas (Add/Sub/Mul/Div/Pow with broadcast constants or same-shape
 * tensors, Neg/Relu/Sign/Sqrt/Clip, BatchNormalization), so results are bit-identical.
 */
import { broadcastTo, type Tensor } from '../../ir/tensor.ts';
import type { Lowering } from '../plan.ts';
import { FLOAT } from '../values.ts';

type Loop = (d: Float64Array, o: number, a: number, sa: number, b: number, sb: number, len: number, frames: number) => void;

/** One loop per op (a shared loop calling a function per element would see every op and stop being inlined). */
const BINARY: Record<string, Loop> = {
  Add: (d, o, a, sa, b, sb, len, nf) => { for (let f = 0; f < nf; f++) for (let i = 0, x = a + f * sa, y = b + f * sb, z = o + f * len; i < len; i++) d[z + i] = d[x + i]! + d[y + i]!; },
  Sub: (d, o, a, sa, b, sb, len, nf) => { for (let f = 0; f < nf; f++) for (let i = 0, x = a + f * sa, y = b + f * sb, z = o + f * len; i < len; i++) d[z + i] = d[x + i]! - d[y + i]!; },
  Mul: (d, o, a, sa, b, sb, len, nf) => { for (let f = 0; f < nf; f++) for (let i = 0, x = a + f * sa, y = b + f * sb, z = o + f * len; i < len; i++) d[z + i] = d[x + i]! * d[y + i]!; },
  Div: (d, o, a, sa, b, sb, len, nf) => { for (let f = 0; f < nf; f++) for (let i = 0, x = a + f * sa, y = b + f * sb, z = o + f * len; i < len; i++) d[z + i] = d[x + i]! / d[y + i]!; },
  Pow: (d, o, a, sa, b, sb, len, nf) => { for (let f = 0; f < nf; f++) for (let i = 0, x = a + f * sa, y = b + f * sb, z = o + f * len; i < len; i++) d[z + i] = d[x + i]! ** d[y + i]!; },
};

/** Constants are broadcast to the output's frame shape once and stored in the arena (frame stride 0). */
const binary: Lowering = (pl, n) => {
  const loop = BINARY[n.op.kind];
  if (!loop || n.inputs.length !== 2) return false;
  const outShape = pl.shape(n.outputs[0]!), len = outShape.reduce((a, b) => a * b, 1);
  const srcs: { region: { off: number }; stride: number }[] = [];
  for (const x of n.inputs) {
    const c = pl.consts.get(x);
    if (c) {
      let t: Tensor;
      try { t = broadcastTo(c, outShape); } catch { return false; }
      srcs.push({ region: pl.constRegion(Float64Array.from(t.data)), stride: 0 });
    } else {
      if (pl.val(x).numel !== len || pl.shape(x).length > outShape.length) return false;
      srcs.push({ region: pl.need(x, 'f64').region, stride: len });
    }
  }
  const ob = pl.frameBuf('f64', len);
  pl.define(n.outputs[0]!, FLOAT, ob);
  const [a, b] = srcs as [(typeof srcs)[0], (typeof srcs)[0]];
  pl.add(n.name, (m, nb) => loop(m.f64, ob.region.off / 8, a.region.off / 8, a.stride, b.region.off / 8, b.stride, len, nb));
  return true;
};

const UNARY: Record<string, (x: number) => number> = {
  Neg: (x) => -x, Relu: (x) => (x > 0 ? x : 0), Sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0), Sqrt: Math.sqrt,
};

const unary: Lowering = (pl, n) => {
  let f = UNARY[n.op.kind];
  if (n.op.kind === 'Clip') {
    const lo = n.op.min ?? (n.inputs[1] ? pl.consts.get(n.inputs[1])?.data[0] : -Infinity);
    const hi = n.op.max ?? (n.inputs[2] ? pl.consts.get(n.inputs[2])?.data[0] : Infinity);
    if (lo === undefined || hi === undefined) return false;
    f = (x) => Math.min(hi, Math.max(lo, x));
  }
  if (!f) return false;
  const x = pl.need(n.inputs[0]!, 'f64'), len = pl.val(n.inputs[0]!).numel;
  const ob = pl.frameBuf('f64', len);
  pl.define(n.outputs[0]!, FLOAT, ob);
  const fn = f;
  pl.add(n.name, (m, b) => {
    const d = m.f64, s = x.region.off / 8, o = ob.region.off / 8;
    for (let i = 0; i < b * len; i++) d[o + i] = fn(d[s + i]!);
  });
  return true;
};

const batchNorm: Lowering = (pl, n) => {
  if (n.op.kind !== 'BatchNormalization') return false;
  const [scale, bias, mean, variance] = n.inputs.slice(1).map((x) => pl.consts.get(x));
  const shape = pl.shape(n.inputs[0]!);
  if (!scale || !bias || !mean || !variance || shape.length < 2) return false;
  const c = shape[1]!, len = pl.val(n.inputs[0]!).numel, inner = len / (shape[0]! * c), eps = n.op.epsilon;
  const den = Float64Array.from({ length: c }, (_, ch) => Math.sqrt(variance.data[ch]! + eps));
  const x = pl.need(n.inputs[0]!, 'f64');
  const ob = pl.frameBuf('f64', len);
  pl.define(n.outputs[0]!, FLOAT, ob);
  pl.add(n.name, (m, b) => {
    const d = m.f64, s = x.region.off / 8, o = ob.region.off / 8;
    for (let i = 0; i < b * len; i++) {
      const ch = Math.floor(i / inner) % c;
      d[o + i] = ((d[s + i]! - mean.data[ch]!) / den[ch]!) * scale.data[ch]! + bias.data[ch]!;
    }
  });
  return true;
};

export const elementwiseLowerings: Record<string, Lowering> = {
  Add: binary, Sub: binary, Mul: binary, Div: binary, Pow: binary, Neg: unary, Relu: unary, Sign: unary, Sqrt: unary, Clip: unary,
  BatchNormalization: batchNorm,
};
