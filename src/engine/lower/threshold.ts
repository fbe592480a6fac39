/**
 * Thresholds: MultiThreshold, hw.Thresholding, BipolarQuant and Quant on dynamic tensors. A count of passed thresholds
 * becomes an output level; one threshold with a rising output packs straight to bits (WASM compare-and-pack).
 */
import type { Node } from '../../ir/graph.ts';
import { activationValue } from '../../hw/common.ts';
import { roundWith, quantRange } from '../../exec/quant.ts';
import type { Lowering, Planner } from '../plan.ts';
import { DomainMiss } from '../convert.ts';
import { FLOAT, intDomain, isPow2, type Buf, type Domain } from '../values.ts';

export interface ThresholdSpec {
  readonly x: string;
  readonly out: string;
  /** Thresholds [rows, nt]; rows = 1 broadcasts to every channel. */
  readonly T: Float64Array;
  readonly nt: number;
  /** channel of flat element i = floor(i / inner) % c. */
  readonly inner: number;
  readonly c: number;
  /** Output value for a count, computed as the reference computes it. */
  readonly value: (cnt: number) => number;
  /** Scale of the output grid (values / scale must be integers to stay on the integer path). */
  readonly scale: number;
}

/** Output levels q[cnt] when every value is scale × an int32, else undefined (float output). */
function levels(s: ThresholdSpec): Int32Array | undefined {
  const q = new Int32Array(s.nt + 1);
  for (let c = 0; c <= s.nt; c++) {
    const v = s.value(c) / s.scale;
    if (!Number.isInteger(v) || Math.abs(v) >= 2 ** 31 || Object.is(v, -0)) return undefined;
    q[c] = v;
  }
  return q;
}

/** Integer thresholds for integer inputs on grid `scale`: q·scale ≥ T ⟺ q ≥ ⌈T / scale⌉, clipped to the range. */
function intThresholds(T: Float64Array, scale: number, lo: number, hi: number): Int32Array {
  return Int32Array.from(T, (t) => (Number.isNaN(t) ? hi + 1 : Math.min(hi + 1, Math.max(lo, Math.ceil(t / scale)))));
}

export function lowerThreshold(pl: Planner, s: ThresholdSpec, label: string): void {
  const xv = pl.val(s.x);
  const q = levels(s);
  const rows = s.T.length / s.nt;
  const lastDim = pl.shape(s.out).at(-1) ?? 1;
  const rising = q !== undefined && s.nt === 1 && q[1]! > q[0]!;
  const bitsOut = rising && s.inner === 1 && s.c === lastDim && (rows === s.c || rows === 1);
  const dom: Domain = q ? intDomain(s.scale, Math.min(...q), Math.max(...q), s.nt === 1 && q[0] !== q[1]) : FLOAT;
  const useF64 = xv.bufs.f64 !== undefined || xv.dom.kind === 'float';
  const xb = pl.need(s.x, useF64 ? 'f64' : 'i32');
  const thr = useF64 ? s.T : xv.dom.kind === 'int' ? intThresholds(s.T, xv.dom.scale, xv.dom.lo, xv.dom.hi) : s.T;
  if (bitsOut) {
    const full = useF64 ? Float64Array.from({ length: s.c }, (_, j) => thr[rows === 1 ? 0 : j]!) : Int32Array.from({ length: s.c }, (_, j) => thr[rows === 1 ? 0 : j]!);
    const tr = pl.constRegion(full);
    const out = pl.frameBuf('bits', 0, pl.bitsLayout(s.out));
    pl.define(s.out, dom, out);
    const per = pl.val(s.out).numel / s.c;
    pl.add(label, (m, b) => (useF64 ? m.k.geBitsF64 : m.k.geBitsI32)(xb.region.off, b * per, s.c, tr.off, out.region.off, out.wps));
    return;
  }
  const out: Buf = pl.frameBuf(q ? 'i32' : 'f64', xv.numel);
  pl.define(s.out, dom, out);
  const vals = q ?? Float64Array.from({ length: s.nt + 1 }, (_, c) => s.value(c));
  const n = xv.numel, nt = s.nt, inner = s.inner, c = s.c;
  pl.add(label, (m, b) => {
    const src = useF64 ? m.f64 : m.i32, so = xb.region.off / (useF64 ? 8 : 4);
    const dst = q ? m.i32 : m.f64, o = out.region.off / (q ? 4 : 8);
    for (let i = 0; i < b * n; i++) {
      const v = src[so + i]!;
      const base = rows === 1 ? 0 : (Math.floor(i / inner) % c) * nt;
      let cnt = 0;
      for (let t = 0; t < nt; t++) if (v >= thr[base + t]!) cnt++;
      dst[o + i] = vals[cnt]!;
    }
  });
}

const scalarConst = (pl: Planner, name: string | undefined): number | undefined => {
  const t = name ? pl.consts.get(name) : undefined;
  return t && t.data.length === 1 ? t.data[0]! : undefined;
};

const multiThreshold: Lowering = (pl, n) => {
  // round-half-even ties (strict thresholds) are left to the reference kernel
  if (n.op.kind !== 'MultiThreshold' || n.op.evenTies !== undefined) return false;
  const T = pl.consts.get(n.inputs[1]!);
  if (!T || pl.isConst(n.inputs[0]!)) return false;
  const shape = pl.shape(n.inputs[0]!);
  const axis = n.op.channelsLast ? shape.length - 1 : Math.min(1, shape.length - 1);
  const c = shape[axis]!;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const nt = T.shape[1] ?? 1, tc = T.shape[0]!;
  if (tc !== c && tc !== 1) return false;
  const { outScale, outBias } = n.op;
  lowerThreshold(pl, { x: n.inputs[0]!, out: n.outputs[0]!, T: T.data, nt, inner, c, value: (k) => outBias + outScale * k, scale: 1 }, n.name);
  return true;
};

const thresholding: Lowering = (pl, n) => {
  if (n.op.kind !== 'hw.Thresholding') return false;
  const p = n.op.p, T = pl.consts.get(n.inputs[1]!);
  if (!T || T.data.length !== p.channels * p.numThresholds || pl.val(n.inputs[0]!).numel % p.channels !== 0) return false;
  lowerThreshold(pl, { x: n.inputs[0]!, out: n.outputs[0]!, T: T.data, nt: p.numThresholds, inner: 1, c: p.channels, value: (k) => activationValue(k, p.actVal, p.outputType), scale: 1 }, n.name);
  return true;
};

const bipolarQuant: Lowering = (pl, n) => {
  const s = scalarConst(pl, n.inputs[1]);
  if (s === undefined || !isPow2(s)) return false;
  const shape = pl.shape(n.inputs[0]!);
  const c = shape.at(-1) ?? 1;
  lowerThreshold(pl, { x: n.inputs[0]!, out: n.outputs[0]!, T: Float64Array.of(0), nt: 1, inner: 1, c, value: (k) => s * (k ? 1 : -1), scale: s }, n.name);
  return true;
};

/** Quant with scalar power-of-two scale, integer zero point and constant bit width: integer levels on the scale's grid. */
const quant: Lowering = (pl, n: Node) => {
  if (n.op.kind !== 'Quant') return false;
  const s = scalarConst(pl, n.inputs[1]), z = scalarConst(pl, n.inputs[2]), bits = scalarConst(pl, n.inputs[3]);
  if (s === undefined || z === undefined || bits === undefined || !isPow2(s) || !Number.isInteger(z) || bits > 30) return false;
  const [lo, hi] = quantRange(bits, n.op.signed, n.op.narrow);
  const mode = n.op.rounding;
  const x = pl.need(n.inputs[0]!, 'f64');
  const out = pl.frameBuf('i32', pl.val(n.inputs[0]!).numel);
  pl.define(n.outputs[0]!, intDomain(s, lo - z, hi - z), out);
  const len = pl.val(n.inputs[0]!).numel;
  pl.add(n.name, (m, b) => {
    const so = x.region.off / 8, o = out.region.off / 4;
    for (let i = 0; i < b * len; i++) {
      const x = m.f64[so + i]!, q = Math.min(hi, Math.max(lo, roundWith(mode, x / s + z)));
      if (Number.isNaN(q)) throw new DomainMiss(n.outputs[0]!, x);
      m.i32[o + i] = q - z;
    }
  });
  return true;
};

export const thresholdLowerings: Record<string, Lowering> = {
  MultiThreshold: multiThreshold, 'hw.Thresholding': thresholding, BipolarQuant: bipolarQuant, Quant: quant,
};
