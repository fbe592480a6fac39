/**
 * Float64 elementwise ops with the reference's formulas (Add/Sub/Mul/Div/Pow with broadcast constants or same-shape
 * tensors, Neg/Relu/Sign/Sqrt/Clip, BatchNormalization), so results are bit-identical.
 */
import { broadcastTo, type Tensor } from '../../ir/tensor.ts';
import type { Lowering } from '../plan.ts';
import { FLOAT } from '../values.ts';

const BINARY: Record<string, (x: number, y: number) => number> = {
  Add: (x, y) => x + y, Sub: (x, y) => x - y, Mul: (x, y) => x * y, Div: (x, y) => x / y, Pow: (x, y) => x ** y,
};

const binary: Lowering = (pl, n) => {
  const f = BINARY[n.op.kind];
  if (!f || n.inputs.length !== 2) return false;
  const outShape = pl.shape(n.outputs[0]!), len = outShape.reduce((a, b) => a * b, 1);
  const srcs: ({ c: Float64Array } | { off: () => number })[] = [];
  for (const x of n.inputs) {
    const c = pl.consts.get(x);
    if (c) {
      let t: Tensor;
      try { t = broadcastTo(c, outShape); } catch { return false; }
      srcs.push({ c: t.data });
    } else {
      if (pl.val(x).numel !== len || pl.shape(x).length > outShape.length) return false;
      const b = pl.need(x, 'f64');
      srcs.push({ off: () => b.region.off / 8 });
    }
  }
  const ob = pl.frameBuf('f64', len);
  pl.define(n.outputs[0]!, FLOAT, ob);
  const [a, b] = srcs as [(typeof srcs)[0], (typeof srcs)[0]];
  pl.add(n.name, (m, nb) => {
    const d = m.f64, o = ob.region.off / 8;
    const ao = 'off' in a ? a.off() : -1, bo = 'off' in b ? b.off() : -1;
    const ac = 'c' in a ? a.c : undefined, bc = 'c' in b ? b.c : undefined;
    for (let fr = 0; fr < nb; fr++) {
      const base = fr * len;
      for (let i = 0; i < len; i++) d[o + base + i] = f(ac ? ac[i]! : d[ao + base + i]!, bc ? bc[i]! : d[bo + base + i]!);
    }
  });
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
