/** Spatial kernels: Conv and MaxPool (NCHW, ONNX), Im2Col and MaxPoolNHWC (FINN's NHWC forms), Pad. */
import type { Tensor } from '../ir/tensor.ts';
import type { Op } from '../ir/ops.ts';
import { fail } from '../util/errors.ts';

type Kernel = (op: Op, ins: readonly Tensor[]) => Tensor[];

const outDim = (size: number, k: number, s: number, p0: number, p1: number, d = 1): number => Math.floor((size + p0 + p1 - d * (k - 1) - 1) / s) + 1;

/** NHWC sliding window in FINN's (kh, kw, C) order; out-of-image positions take padValue. */
export function im2col(x: Tensor, k: readonly [number, number], s: readonly [number, number], pads: readonly number[], padValue: number): Tensor {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const oh = outDim(h, k[0], s[0], pads[0]!, pads[2]!), ow = outDim(w, k[1], s[1], pads[1]!, pads[3]!);
  const kk = k[0] * k[1] * c;
  const out = new Float64Array(n * oh * ow * kk);
  let o = 0;
  for (let b = 0; b < n; b++) for (let y = 0; y < oh; y++) for (let xx = 0; xx < ow; xx++) {
    for (let ky = 0; ky < k[0]; ky++) for (let kx = 0; kx < k[1]; kx++) {
      const iy = y * s[0] + ky - pads[0]!, ix = xx * s[1] + kx - pads[1]!;
      const inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
      const base = ((b * h + iy) * w + ix) * c;
      for (let ch = 0; ch < c; ch++) out[o++] = inside ? x.data[base + ch]! : padValue;
    }
  }
  return { shape: [n, oh, ow, kk], data: out };
}

function conv(op: Extract<Op, { kind: 'Conv' }>, x: Tensor, w: Tensor, bias?: Tensor): Tensor {
  if (op.group !== 1) fail('E_UNSUPPORTED_OP', `Conv with group=${op.group} is not supported`);
  const [n, c, h, wd] = x.shape as [number, number, number, number];
  const [oc, ic, kh, kw] = w.shape as [number, number, number, number];
  if (ic !== c) fail('E_SHAPE', `Conv: input has ${c} channels, weights expect ${ic}`);
  const [dy, dx] = op.dilations;
  const oh = outDim(h, kh, op.strides[0], op.pads[0], op.pads[2], dy), ow = outDim(wd, kw, op.strides[1], op.pads[1], op.pads[3], dx);
  const out = new Float64Array(n * oc * oh * ow);
  for (let b = 0; b < n; b++) for (let o = 0; o < oc; o++) for (let y = 0; y < oh; y++) for (let xx = 0; xx < ow; xx++) {
    let acc = bias ? bias.data[o]! : 0;
    for (let ch = 0; ch < c; ch++) for (let ky = 0; ky < kh; ky++) {
      const iy = y * op.strides[0] + ky * dy - op.pads[0];
      if (iy < 0 || iy >= h) continue;
      for (let kx = 0; kx < kw; kx++) {
        const ix = xx * op.strides[1] + kx * dx - op.pads[1];
        if (ix < 0 || ix >= wd) continue;
        acc += x.data[((b * c + ch) * h + iy) * wd + ix]! * w.data[((o * ic + ch) * kh + ky) * kw + kx]!;
      }
    }
    out[((b * oc + o) * oh + y) * ow + xx] = acc;
  }
  return { shape: [n, oc, oh, ow], data: out };
}

/** Max-pool over windows; `chw` says whether the layout is NCHW (else NHWC). Padding positions never win. */
function maxpool(x: Tensor, k: readonly [number, number], s: readonly [number, number], pads: readonly number[], chw: boolean): Tensor {
  const [n, a, b2, c2] = x.shape as [number, number, number, number];
  const [c, h, w] = chw ? [a, b2, c2] : [c2, a, b2];
  const oh = outDim(h, k[0], s[0], pads[0]!, pads[2]!), ow = outDim(w, k[1], s[1], pads[1]!, pads[3]!);
  const at = (b: number, ch: number, y: number, xx: number): number => (chw ? ((b * c + ch) * h + y) * w + xx : ((b * h + y) * w + xx) * c + ch);
  const shape = chw ? [n, c, oh, ow] : [n, oh, ow, c];
  const out = new Float64Array(n * c * oh * ow);
  for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) for (let y = 0; y < oh; y++) for (let xx = 0; xx < ow; xx++) {
    let m = -Infinity;
    for (let ky = 0; ky < k[0]; ky++) for (let kx = 0; kx < k[1]; kx++) {
      const iy = y * s[0] + ky - pads[0]!, ix = xx * s[1] + kx - pads[1]!;
      if (iy >= 0 && iy < h && ix >= 0 && ix < w) m = Math.max(m, x.data[at(b, ch, iy, ix)]!);
    }
    out[chw ? ((b * c + ch) * oh + y) * ow + xx : ((b * oh + y) * ow + xx) * c + ch] = m;
  }
  return { shape, data: out };
}

export const convKernels: Record<string, Kernel> = {
  Conv: (op, [x, w, b]) => (op.kind === 'Conv' ? [conv(op, x!, w!, b)] : fail('E_INTERNAL', 'Conv kernel on wrong op')),
  MaxPool: (op, [x]) => (op.kind === 'MaxPool' ? [maxpool(x!, op.kernel, op.strides, op.pads, true)] : fail('E_INTERNAL', 'MaxPool kernel on wrong op')),
  MaxPoolNHWC: (op, [x]) => (op.kind === 'MaxPoolNHWC' ? [maxpool(x!, op.kernel, op.strides, [0, 0, 0, 0], false)] : fail('E_INTERNAL', 'MaxPoolNHWC kernel on wrong op')),
  Im2Col: (op, [x]) => (op.kind === 'Im2Col' ? [im2col(x!, op.kernel, op.stride, op.pads, op.padValue)] : fail('E_INTERNAL', 'Im2Col kernel on wrong op')),
  Pad: (op, [x, p, v]) => {
    if (op.kind !== 'Pad') fail('E_INTERNAL', 'Pad kernel on wrong op');
    const pads = op.pads ?? Array.from(p!.data);
    const value = v ? v.data[0]! : op.value;
    const r = x!.shape.length;
    const shape = x!.shape.map((d, i) => d + pads[i]! + pads[i + r]!);
    const out = new Float64Array(shape.reduce((a, b) => a * b, 1)).fill(value);
    const idx = new Array<number>(r).fill(0);
    for (let i = 0; i < x!.data.length; i++) {
      let o = 0;
      for (let j = 0; j < r; j++) o = o * shape[j]! + idx[j]! + pads[j]!;
      out[o] = x!.data[i]!;
      for (let j = r - 1; j >= 0; j--) { if (++idx[j]! < x!.shape[j]!) break; idx[j] = 0; }
    }
    return [{ shape, data: out }];
  },
};
