/**
 * Sliding windows, padding and pooling on NHWC frames: Im2Col / hw.ConvolutionInputGenerator, hw.FMPadding,
 * hw.ChannelPad, MaxPoolNHWC / hw.StreamingMaxPool. Bit-packed pixels are gathered word by word (a 3×3 window of
 * 64 binary channels is nine 64-bit words) and max-pooled by OR; integers and floats by index maps.
 */
import type { Lowering, Planner } from '../plan.ts';
import { intDomain, vecWords, type Buf, type Domain } from '../values.ts';

/** out element (or bit vector) i of a frame ← in element idx[i], or the pad value when idx[i] < 0. */
function gather(pl: Planner, label: string, x: string, out: string, idx: Int32Array, pad: number, vecIdx?: { idx: Int32Array; taps: number }): void {
  const xv = pl.val(x);
  const d = xv.dom;
  const padQ = d.kind === 'int' ? pad / d.scale : NaN;
  const padBit = d.kind === 'int' && d.twoLevel ? (padQ === d.hi ? 1 : padQ === d.lo ? 0 : -1) : -1;
  const hasPad = idx.some((i) => i < 0);
  if (vecIdx && xv.bufs.bits && (padBit >= 0 || !hasPad)) {
    const xb = xv.bufs.bits;
    const inW = vecWords(xb), outRows = vecIdx.idx.length / vecIdx.taps;
    const ob = pl.frameBuf('bits', 0, { rows: outRows, nseg: vecIdx.taps * xb.nseg, segLen: xb.segLen });
    pl.define(out, d, ob);
    const padVec = new Uint32Array(inW);
    if (padBit === 1) for (let sgm = 0; sgm < xb.nseg; sgm++) for (let c = 0; c < xb.segLen; c++) padVec[sgm * xb.wps + (c >>> 5)]! |= 1 << (c & 31);
    const inPF = xb.rows * inW, outPF = outRows * vecIdx.taps * inW, vi = vecIdx.idx;
    pl.add(label, (m, b) => {
      const src = xb.region.off / 4, dst = ob.region.off / 4;
      for (let f = 0; f < b; f++) {
        for (let t = 0; t < vi.length; t++) {
          const o = dst + f * outPF + t * inW, s = vi[t]!;
          if (s < 0) m.u32.set(padVec, o);
          else m.u32.copyWithin(o, src + f * inPF + s * inW, src + f * inPF + (s + 1) * inW);
        }
      }
    });
    return;
  }
  const useInt = d.kind === 'int' && !xv.bufs.f64 && (!hasPad || Number.isInteger(padQ));
  const xb = pl.need(x, useInt ? 'i32' : 'f64');
  const dom: Domain = useInt && d.kind === 'int' && hasPad ? intDomain(d.scale, Math.min(d.lo, padQ), Math.max(d.hi, padQ), d.twoLevel && (padQ === d.lo || padQ === d.hi)) : d;
  const ob = pl.frameBuf(useInt ? 'i32' : 'f64', idx.length);
  pl.define(out, dom, ob);
  const inPF = xv.numel, outPF = idx.length, pv = useInt ? padQ : pad;
  pl.add(label, (m, b) => {
    const a = useInt ? m.i32 : m.f64, sz = useInt ? 4 : 8;
    const src = xb.region.off / sz, dst = ob.region.off / sz;
    for (let f = 0; f < b; f++) for (let i = 0; i < outPF; i++) { const s = idx[i]!; a[dst + f * outPF + i] = s < 0 ? pv : a[src + f * inPF + s]!; }
  });
}

const outDim = (size: number, k: number, s: number, p0: number, p1: number): number => Math.floor((size + p0 + p1 - (k - 1) - 1) / s) + 1;

/** Index maps of an NHWC sliding window in (kh, kw, C) order: per element and per pixel vector. */
function windowMaps(h: number, w: number, c: number, k: readonly [number, number], s: readonly [number, number], pads: readonly number[]): { idx: Int32Array; vec: Int32Array; taps: number } {
  const oh = outDim(h, k[0], s[0], pads[0]!, pads[2]!), ow = outDim(w, k[1], s[1], pads[1]!, pads[3]!);
  const taps = k[0] * k[1];
  const idx = new Int32Array(oh * ow * taps * c), vec = new Int32Array(oh * ow * taps);
  let o = 0, v = 0;
  for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) for (let ky = 0; ky < k[0]; ky++) for (let kx = 0; kx < k[1]; kx++) {
    const iy = y * s[0] + ky - pads[0]!, ix = x * s[1] + kx - pads[1]!;
    const inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
    vec[v++] = inside ? iy * w + ix : -1;
    for (let ch = 0; ch < c; ch++) idx[o++] = inside ? (iy * w + ix) * c + ch : -1;
  }
  return { idx, vec, taps };
}

function lowerWindow(pl: Planner, label: string, x: string, out: string, k: readonly [number, number], s: readonly [number, number], pads: readonly number[], pad: number): boolean {
  const shape = pl.shape(x);
  if (shape.length !== 4 || shape[0] !== 1) return false;
  const [, h, w, c] = shape as [number, number, number, number];
  const { idx, vec, taps } = windowMaps(h, w, c, k, s, pads);
  if (idx.length !== pl.shape(out).reduce((a, b) => a * b, 1)) return false;
  gather(pl, label, x, out, idx, pad, { idx: vec, taps });
  return true;
}

const im2col: Lowering = (pl, n) => n.op.kind === 'Im2Col' && lowerWindow(pl, n.name, n.inputs[0]!, n.outputs[0]!, n.op.kernel, n.op.stride, n.op.pads, n.op.padValue);
// depthwise windows ((C/SIMD, K, SIMD) order) run on the reference fallback
const swg: Lowering = (pl, n) => n.op.kind === 'hw.ConvolutionInputGenerator' && !n.op.p.depthwise && lowerWindow(pl, n.name, n.inputs[0]!, n.outputs[0]!, n.op.p.kernel, n.op.p.stride, [0, 0, 0, 0], 0);
const fmPadding: Lowering = (pl, n) => n.op.kind === 'hw.FMPadding' && lowerWindow(pl, n.name, n.inputs[0]!, n.outputs[0]!, [1, 1], [1, 1], n.op.p.pads, n.op.p.value);

const channelPad: Lowering = (pl, n) => {
  if (n.op.kind !== 'hw.ChannelPad') return false;
  const p = n.op.p, total = pl.val(n.inputs[0]!).numel;
  if (total % p.inElems !== 0) return false;
  const rows = total / p.inElems;
  const idx = new Int32Array(rows * p.outElems).fill(-1);
  for (let r = 0; r < rows; r++) for (let c = 0; c < p.inElems; c++) idx[r * p.outElems + c] = r * p.inElems + c;
  gather(pl, n.name, n.inputs[0]!, n.outputs[0]!, idx, p.value);
  return true;
};

/** Max-pool without padding over NHWC: OR of bit vectors (positive grid), max of integers, Math.max of floats. */
function lowerPool(pl: Planner, label: string, x: string, out: string, k: readonly [number, number], s: readonly [number, number]): boolean {
  const shape = pl.shape(x);
  if (shape.length !== 4 || shape[0] !== 1) return false;
  const [, h, w, c] = shape as [number, number, number, number];
  const oh = outDim(h, k[0], s[0], 0, 0), ow = outDim(w, k[1], s[1], 0, 0);
  const win: number[] = [];
  for (let y = 0; y < oh; y++) for (let xx = 0; xx < ow; xx++) for (let ky = 0; ky < k[0]; ky++) for (let kx = 0; kx < k[1]; kx++) win.push((y * s[0] + ky) * w + xx * s[1] + kx);
  const taps = k[0] * k[1], pix = Int32Array.from(win), nOut = oh * ow;
  const xv = pl.val(x), d = xv.dom;
  if (d.kind === 'int' && d.twoLevel && xv.bufs.bits && xv.bufs.bits.nseg * xv.bufs.bits.segLen === c) {
    const xb = xv.bufs.bits, W = vecWords(xb);
    const ob: Buf = pl.frameBuf('bits', 0, { rows: nOut, nseg: xb.nseg, segLen: xb.segLen });
    pl.define(out, d, ob);
    pl.add(label, (m, b) => {
      const u = m.u32, src = xb.region.off / 4, dst = ob.region.off / 4;
      for (let f = 0; f < b; f++) for (let p = 0; p < nOut; p++) {
        const o = dst + (f * nOut + p) * W;
        for (let wd = 0; wd < W; wd++) {
          let acc = 0;
          for (let t = 0; t < taps; t++) acc |= u[src + (f * h * w + pix[p * taps + t]!) * W + wd]!;
          u[o + wd] = acc;
        }
      }
    });
    return true;
  }
  const useInt = d.kind === 'int' && !xv.bufs.f64;
  const xb = pl.need(x, useInt ? 'i32' : 'f64');
  const ob = pl.frameBuf(useInt ? 'i32' : 'f64', nOut * c);
  pl.define(out, d, ob);
  pl.add(label, (m, b) => {
    const a = useInt ? m.i32 : m.f64, sz = useInt ? 4 : 8, src = xb.region.off / sz, dst = ob.region.off / sz;
    for (let f = 0; f < b; f++) for (let p = 0; p < nOut; p++) for (let ch = 0; ch < c; ch++) {
      let mx = -Infinity;
      for (let t = 0; t < taps; t++) mx = Math.max(mx, a[src + (f * h * w + pix[p * taps + t]!) * c + ch]!);
      a[dst + (f * nOut + p) * c + ch] = mx;
    }
  });
  return true;
}

const maxPoolNhwc: Lowering = (pl, n) => n.op.kind === 'MaxPoolNHWC' && lowerPool(pl, n.name, n.inputs[0]!, n.outputs[0]!, n.op.kernel, n.op.strides);
const streamingMaxPool: Lowering = (pl, n) => n.op.kind === 'hw.StreamingMaxPool' && lowerPool(pl, n.name, n.inputs[0]!, n.outputs[0]!, n.op.p.kernel, n.op.p.kernel);

export const windowLowerings: Record<string, Lowering> = {
  Im2Col: im2col, 'hw.ConvolutionInputGenerator': swg, 'hw.FMPadding': fmPadding, 'hw.ChannelPad': channelPad,
  MaxPoolNHWC: maxPoolNhwc, 'hw.StreamingMaxPool': streamingMaxPool,
};
