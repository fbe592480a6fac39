/** Top-1 selection along the last axis (TopK k=1, ArgMax, hw.LabelSelect): the first maximum wins, as in the reference. */
import type { Lowering, Planner } from '../plan.ts';
import { DomainMiss } from '../convert.ts';
import { intDomain } from '../values.ts';

/** Argmax over the first `valid` of every `len` values; writes indices (and optionally the maxima). */
function lowerArgmax(pl: Planner, label: string, x: string, len: number, valid: number, idxOut: string, valOut?: string): boolean {
  const xv = pl.val(x);
  if (xv.numel % len !== 0 || valid > len || valid < 1) return false;
  const rows = xv.numel / len;
  const useInt = xv.dom.kind === 'int' && !xv.bufs.f64;
  const xb = pl.need(x, useInt ? 'i32' : 'f64');
  const ib = pl.frameBuf('i32', rows);
  pl.define(idxOut, intDomain(1, 0, valid - 1), ib);
  const vb = valOut ? pl.frameBuf(useInt ? 'i32' : 'f64', rows) : undefined;
  if (valOut) pl.define(valOut, xv.dom, vb!);
  pl.add(label, (m, b) => {
    const a = useInt ? m.i32 : m.f64, sz = useInt ? 4 : 8, src = xb.region.off / sz, io = ib.region.off / 4;
    for (let r = 0; r < b * rows; r++) {
      const o = src + r * len;
      let best = 0, bv = a[o]!;
      for (let j = 1; j < valid; j++) { const v = a[o + j]!; if (v > bv) { bv = v; best = j; } }
      if (!useInt) for (let j = 0; j < valid; j++) if (Number.isNaN(a[o + j]!)) throw new DomainMiss(x, NaN);
      m.i32[io + r] = best;
      if (vb) a[vb.region.off / sz + r] = bv;
    }
  });
  return true;
}

const topk: Lowering = (pl, n) => {
  if (n.op.kind !== 'TopK' || !n.op.largest) return false;
  const k = pl.consts.get(n.inputs[1]!);
  const shape = pl.shape(n.inputs[0]!);
  const axis = n.op.axis < 0 ? n.op.axis + shape.length : n.op.axis;
  if (!k || k.data[0] !== 1 || axis !== shape.length - 1) return false;
  if (!n.outputs[1]) return false;
  return lowerArgmax(pl, n.name, n.inputs[0]!, shape[axis]!, shape[axis]!, n.outputs[1], n.outputs[0] || undefined);
};

const argmax: Lowering = (pl, n) => {
  if (n.op.kind !== 'ArgMax' || n.op.selectLastIndex) return false;
  const shape = pl.shape(n.inputs[0]!);
  const axis = n.op.axis < 0 ? n.op.axis + shape.length : n.op.axis;
  return axis === shape.length - 1 && lowerArgmax(pl, n.name, n.inputs[0]!, shape[axis]!, shape[axis]!, n.outputs[0]!);
};

const labelSelect: Lowering = (pl, n) => {
  if (n.op.kind !== 'hw.LabelSelect' || n.op.p.k !== 1) return false;
  return lowerArgmax(pl, n.name, n.inputs[0]!, n.op.p.labels, n.op.p.validLabels, n.outputs[0]!);
};

export const selectLowerings: Record<string, Lowering> = { TopK: topk, ArgMax: argmax, 'hw.LabelSelect': labelSelect };
