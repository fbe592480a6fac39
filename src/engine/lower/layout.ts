/** Layout ops: reshapes keep the storage (bit vectors regrouped by whole segments); Transpose gathers by index map. */
import { strides } from '../../ir/tensor.ts';
import type { Lowering } from '../plan.ts';
import type { Buf, Val } from '../values.ts';

/** Reshape-like ops (Reshape, Flatten, Squeeze, Unsqueeze, Identity): the same elements in the same order. */
const view: Lowering = (pl, n) => {
  if (n.inputs.slice(1).some((x) => x !== '' && !pl.isConst(x)) || pl.isConst(n.inputs[0]!)) return false;
  const src = pl.val(n.inputs[0]!);
  const last = pl.shape(n.outputs[0]!).at(-1) ?? 1;
  const bufs: { -readonly [K in keyof Val['bufs']]: Buf } = {};
  if (src.bufs.f64) bufs.f64 = src.bufs.f64;
  if (src.bufs.i32) bufs.i32 = src.bufs.i32;
  const b = src.bufs.bits;
  if (b && b.nseg * b.segLen === last) bufs.bits = b;
  else if (b && last % b.segLen === 0) bufs.bits = { ...b, nseg: last / b.segLen, rows: src.numel / last };
  if (!bufs.f64 && !bufs.i32 && !bufs.bits) bufs.i32 = pl.need(src.name, 'i32');
  pl.alias(n.outputs[0]!, src, bufs);
  return true;
};

const transpose: Lowering = (pl, n) => {
  if (n.op.kind !== 'Transpose') return false;
  const x = n.inputs[0]!, xv = pl.val(x), shape = pl.shape(x);
  const perm = n.op.perm ?? shape.map((_, i) => shape.length - 1 - i);
  const outShape = perm.map((p) => shape[p]!), st = strides(shape);
  const idx = new Int32Array(xv.numel);
  const counter = new Array<number>(perm.length).fill(0);
  for (let i = 0; i < idx.length; i++) {
    let off = 0;
    for (let d = 0; d < perm.length; d++) off += counter[d]! * st[perm[d]!]!;
    idx[i] = off;
    for (let d = perm.length - 1; d >= 0; d--) { if (++counter[d]! < outShape[d]!) break; counter[d] = 0; }
  }
  const useInt = xv.dom.kind === 'int' && !xv.bufs.f64;
  const xb = pl.need(x, useInt ? 'i32' : 'f64');
  const ob = pl.frameBuf(useInt ? 'i32' : 'f64', xv.numel);
  pl.define(n.outputs[0]!, xv.dom, ob);
  const per = xv.numel;
  pl.add(n.name, (m, b) => {
    const a = useInt ? m.i32 : m.f64, sz = useInt ? 4 : 8, src = xb.region.off / sz, dst = ob.region.off / sz;
    for (let f = 0; f < b; f++) for (let i = 0; i < per; i++) a[dst + f * per + i] = a[src + f * per + idx[i]!]!;
  });
  return true;
};

export const layoutLowerings: Record<string, Lowering> = {
  Reshape: view, Flatten: view, Squeeze: view, Unsqueeze: view, Identity: view, Transpose: transpose,
};
