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
  const [n, c, h, wd] = x.shape as [number, number, number, number];
  const [oc, ic, kh, kw] = w.shape as [number, number, number, number];
  const g = op.group;
  // grouped convolution: output channel o reads input channels of its group (ic per group)
  if (g < 1 || c % g !== 0 || oc % g !== 0 || ic * g !== c) fail('E_SHAPE', `Conv: input has ${c} channels, weights [${w.shape.join(',')}] with group ${g} expect ${ic * g}`);
  const [dy, dx] = op.dilations;
  const oh = outDim(h, kh, op.strides[0], op.pads[0], op.pads[2], dy), ow = outDim(wd, kw, op.strides[1], op.pads[1], op.pads[3], dx);
  const out = new Float64Array(n * oc * oh * ow);
  const ocPerGroup = oc / g;
  for (let b = 0; b < n; b++) for (let o = 0; o < oc; o++) for (let y = 0; y < oh; y++) for (let xx = 0; xx < ow; xx++) {
    let acc = bias ? bias.data[o]! : 0;
    const c0 = Math.floor(o / ocPerGroup) * ic;
    for (let j = 0; j < ic; j++) for (let ky = 0; ky < kh; ky++) {
      const iy = y * op.strides[0] + ky * dy - op.pads[0];
      if (iy < 0 || iy >= h) continue;
      for (let kx = 0; kx < kw; kx++) {
        const ix = xx * op.strides[1] + kx * dx - op.pads[1];
        if (ix < 0 || ix >= wd) continue;
        acc += x.data[((b * c + c0 + j) * h + iy) * wd + ix]! * w.data[((o * ic + j) * kh + ky) * kw + kx]!;
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

/** Sum (or mean) over the spatial axes of NCHW (channelsLast false) or NHWC data, spatial dims kept as 1. */
function spatialSum(x: Tensor, channelsLast: boolean, mean: boolean): Tensor {
  const [n, a, b, c] = x.shape as [number, number, number, number];
  const [ch, hw] = channelsLast ? [c, a * b] : [a, b * c];
  const out = new Float64Array(n * ch);
  for (let i = 0; i < n; i++) for (let k = 0; k < ch; k++) {
    let s = 0;
    for (let p = 0; p < hw; p++) s += x.data[channelsLast ? (i * hw + p) * ch + k : (i * ch + k) * hw + p]!;
    out[i * ch + k] = mean ? s / hw : s;
  }
  return { shape: channelsLast ? [n, 1, 1, ch] : [n, ch, 1, 1], data: out };
}

/** NCHW average pool (ONNX semantics, count_include_pad as given). */
function avgpool(x: Tensor, op: Extract<Op, { kind: 'AveragePool' }>): Tensor {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const [k, s, pads] = [op.kernel, op.strides, op.pads];
  const oh = Math.floor((h + pads[0] + pads[2] - k[0]) / s[0]) + 1, ow = Math.floor((w + pads[1] + pads[3] - k[1]) / s[1]) + 1;
  const out = new Float64Array(n * c * oh * ow);
  for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) for (let y = 0; y < oh; y++) for (let xx = 0; xx < ow; xx++) {
    let sum = 0, cnt = 0;
    for (let ky = 0; ky < k[0]; ky++) for (let kx = 0; kx < k[1]; kx++) {
      const iy = y * s[0] + ky - pads[0], ix = xx * s[1] + kx - pads[1];
      if (iy >= 0 && iy < h && ix >= 0 && ix < w) { sum += x.data[((b * c + ch) * h + iy) * w + ix]!; cnt++; }
    }
    out[((b * c + ch) * oh + y) * ow + xx] = sum / (op.countIncludePad ? k[0] * k[1] : cnt);
  }
  return { shape: [n, c, oh, ow], data: out };
}

export const convKernels: Record<string, Kernel> = {
  GlobalAveragePool: (_op, [x]) => [spatialSum(x!, false, true)],
  GlobalSumPool: (op, [x]) => (op.kind === 'GlobalSumPool' ? [spatialSum(x!, op.channelsLast, false)] : fail('E_INTERNAL', 'GlobalSumPool kernel on wrong op')),
  AveragePool: (op, [x]) => (op.kind === 'AveragePool' ? [avgpool(x!, op)] : fail('E_INTERNAL', 'AveragePool kernel on wrong op')),
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
