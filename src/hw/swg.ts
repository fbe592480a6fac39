/**
 * ConvolutionInputGenerator (sliding window): streams each output pixel's kh·kw·C window, SIMD channels per word.
 * Element order per output pixel: standard (kh, kw, C); depthwise (FINN's `depthwise` = 1) (C/SIMD, kh, kw, SIMD) —
 * for each fold of SIMD channels the whole window, which is what a VVAU or Pool with PE = SIMD consumes channel fold
 * by channel fold. The depthwise order therefore depends on SIMD: the consumer's PE must equal this SIMD (as FINN's
 * SetFolding sets it); a width converter in between (VVAU SIMD > 1) keeps the order.
 * Parallel window (FINN's `parallel_window` = 1; for depthwise windows set by the VVAU's PE/SIMD): one pixel (all C channels) in per word and the
 * whole kh·kw·C window out per word (finn_swg_par), one pixel per cycle — for an MVAU with SIMD up to kh·kw·C, e.g. a
 * 7×7 stem over 3 channels. Here it is the last value of the `simd` knob: `simd` = kh·kw·C.
 */
import { dtBits, dtMax, dtMin, dtName, isIntegral, type DataType } from '../ir/datatype.ts';
import { replaceNodes, type Graph } from '../ir/index.ts';
import { im2col } from '../exec/conv.ts';
import type { Tensor } from '../ir/tensor.ts';
import { fail } from '../util/errors.ts';
import { emitter } from '../passes/util.ts';
import { rewriteAll } from '../passes/pass.ts';
import { bram18, checkDivides, fa, inLutram, lutScale, readPair, readRamStyle, type RamStyle } from './common.ts';
import { divisors, port, type HwLayer, type Resources } from './layer.ts';
import type { FpgaPart } from '../cost/parts.ts';
import { clog2, ice40InEbr, xc7InBram, xc7LutramLuts, type CostMemory } from '../cost/model.ts';

/** NHWC pixels in; for each output pixel the kh·kw·C window in (kh, kw, C) order, or (C/SIMD, kh, kw, SIMD) if depthwise. */
export interface SwgParams {
  readonly ifm: readonly [number, number];
  readonly ofm: readonly [number, number];
  readonly channels: number;
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  /** Channels per stream word (divides channels), or kh·kw·C for a parallel window (one pixel in, one window out). */
  readonly simd: number;
  readonly dtype: DataType;
  readonly ramStyle: RamStyle;
  /** Depthwise element order (for a VVAU or Pool behind it). */
  readonly depthwise: boolean;
}

/**
 * Words of the core's line buffer: R = kh + sh − 1 full rows (at least 2 when a row has one window), CF words per pixel —
 * one row more than FINN's minimum so reading ahead overlaps emitting (finn_swg.v).
 */
export const swgBufferWords = (p: SwgParams): number => {
  if (isParallel(p)) return Math.max(0, p.ifm[1] - p.kernel[1]);
  const r = Math.max(p.kernel[0] + p.stride[0] - 1, p.ofm[1] === 1 ? 2 : 1);
  return r * p.ifm[1] * (p.channels / p.simd);
};

/** Window size kh·kw·C: the output word of a parallel window. */
const windowElems = (p: SwgParams): number => p.kernel[0] * p.kernel[1] * p.channels;

/**
 * A parallel window (FINN's parallel_window = 1): the whole window in one word (kh·kw > 1). Depthwise too: with all C
 * channels per pixel the depthwise order (C/SIMD, kh, kw, SIMD) is the standard (kh, kw, C) — what a VVAU with
 * PE = channels and SIMD > 1 reads (its producerFolding asks for it).
 */
export const isParallel = (p: SwgParams): boolean => p.kernel[0] * p.kernel[1] > 1 && p.simd === windowElems(p);

/** Elements per input word: one pixel for a parallel window, else SIMD channels. */
const inSimd = (p: SwgParams): number => (isParallel(p) ? p.channels : p.simd);

/** Line-buffer memory of a parallel window: kh − 1 rows of (IFM_W − kw) pixels, advancing together (finn_swg_par). */
const parallelLines = (p: SwgParams): { depth: number; width: number } =>
  ({ depth: Math.max(0, p.ifm[1] - p.kernel[1]), width: (p.kernel[0] - 1) * p.channels * dtBits(p.dtype) });

export const swg: HwLayer<'hw.ConvolutionInputGenerator', SwgParams> = {
  kind: 'hw.ConvolutionInputGenerator',
  finnName: 'ConvolutionInputGenerator',
  color: '#eab308',
  readFinn: (r) => {
    const p: SwgParams = {
      ifm: readPair(r, 'IFMDim'), ofm: readPair(r, 'OFMDim'), channels: r.int('IFMChannels'), kernel: readPair(r, 'ConvKernelDim'),
      stride: readPair(r, 'Stride', [1, 1]), simd: r.int('SIMD'), dtype: r.dtype('inputDataType'), ramStyle: readRamStyle(r),
      depthwise: r.bool('depthwise', false),
    };
    if (!r.bool('parallel_window', false)) return p;
    if (p.simd !== p.channels) r.fail(`parallel_window = 1 needs SIMD = IFMChannels (${p.channels}), got ${p.simd}`, `set SIMD to ${p.channels}`);
    return { ...p, simd: windowElems(p) };
  },
  writeFinn: (p) => [
    fa.ints('ConvKernelDim', p.kernel), fa.int('IFMChannels', p.channels), fa.ints('IFMDim', p.ifm), fa.ints('OFMDim', p.ofm),
    fa.int('SIMD', inSimd(p)), fa.ints('Stride', p.stride), fa.dtype('inputDataType', p.dtype), fa.dtype('outputDataType', p.dtype), fa.str('ram_style', p.ramStyle),
    // FINN's default is 0; written only when set so standard graphs keep their attributes
    ...(p.depthwise ? [fa.int('depthwise', 1)] : []),
    ...(isParallel(p) ? [fa.int('parallel_window', 1)] : []),
  ],
  lower: { name: 'hw/to-swg', summary: 'Im2Col → (FMPadding +) ConvolutionInputGenerator', run: (g) => rewriteAll(g, toSwg) },
  // SIMD over the channels, then the parallel window (standard order, kernels larger than 1×1)
  folding: (p) => [{ key: 'simd', values: [...divisors(p.channels), ...(!p.depthwise && p.kernel[0] * p.kernel[1] > 1 ? [windowElems(p)] : [])] }],
  checkFolding: (p, node) => (isParallel(p) ? undefined : checkDivides(node, 'SIMD', p.simd, p.channels, `the ${p.channels} channels (or ${windowElems(p)}: a parallel window)`)),
  foldingFile: {
    write: (p): Record<string, number> => (isParallel(p) ? { SIMD: p.channels, parallel_window: 1 } : {}),
    read: (p, e, node) => {
      if (e.parallel_window === undefined) return p;
      if (e.parallel_window === 0) return isParallel(p) && e.SIMD === undefined ? { ...p, simd: p.channels } : p;
      if (e.parallel_window !== 1) fail('E_CONFIG', `${node}.parallel_window must be 0 or 1, got ${JSON.stringify(e.parallel_window)}`);
      if (p.kernel[0] * p.kernel[1] === 1) return { ...p, simd: p.channels };
      if (e.SIMD !== undefined && e.SIMD !== p.channels) fail('E_CONFIG', `${node}: parallel_window = 1 needs SIMD = ${p.channels} (the channels), got ${JSON.stringify(e.SIMD)}`);
      return { ...p, simd: windowElems(p) };
    },
  },
  weightBits: () => 0,
  // FINN's model: fill the first kh rows, then per output row the larger of emitting and reading
  cycles: swgCycles,
  resources(p, part) {
    if (isParallel(p)) return parallelResources(p, part);
    const width = p.simd * dtBits(p.dtype);
    const depth = swgBufferWords(p);
    const lutram = inLutram(p.ramStyle, depth);
    return { LUT: Math.round((120 + width * 2 + (lutram ? width * Math.ceil(depth / 64) : 0)) * lutScale(part)), FF: width * 2 + 64, BRAM_18K: lutram ? 0 : bram18(depth, width), URAM: 0, DSP: 0 };
  },
  costFeatures(p, family) {
    if (isParallel(p)) return undefined; // finn_swg_par is not in the calibration table: FINN-style formula (resources)
    const WW = p.simd * dtBits(p.dtype), depth = swgBufferWords(p);
    const mem: CostMemory = { depth, width: WW, rom: false, style: p.ramStyle };
    const block = family === 'xc7' ? xc7InBram(mem) : ice40InEbr(mem);
    const cf = p.channels / p.simd;
    const ctr = clog2(depth) * 3 + clog2(p.depthwise ? p.kernel[1] : p.kernel[1] * cf) + clog2(p.kernel[0]) + clog2(p.ofm[0]) + clog2(p.ofm[1]) + clog2(cf) + clog2(p.ifm[1]);
    const lutram = !block && family === 'xc7' ? xc7LutramLuts(depth, WW) : 0;
    const logicBits = !block && family === 'ice40' ? depth * WW : 0;
    return {
      LUT: { const: 1, width: WW, lutram, logic_bits: logicBits, ctr },
      FF: { const: 1, width: WW, logic_bits: logicBits, ctr },
      memories: [mem],
    };
  },
  calibrationCore: 'swg',
  execute: (p, [x]) => {
    const cols = im2col(x!, p.kernel, p.stride, [0, 0, 0, 0], 0);
    return [p.depthwise && !isParallel(p) ? depthwiseOrder(cols, p.kernel[0] * p.kernel[1], p.channels, p.simd) : cols];
  },
  inputs: (p) => [port(p.dtype, inSimd(p), p.ifm[0] * p.ifm[1] * p.channels)],
  outputs: (p) => [port(p.dtype, p.simd, p.ofm[0] * p.ofm[1] * p.kernel[0] * p.kernel[1] * p.channels)],
  outTypes: (p) => [p.dtype],
  rtl: (p) => (isParallel(p) ? {
    core: 'finn_swg_par',
    params: [['IFM_H', p.ifm[0]], ['IFM_W', p.ifm[1]], ['C', p.channels], ['BITS', dtBits(p.dtype)],
      ['K_H', p.kernel[0]], ['K_W', p.kernel[1]], ['S_H', p.stride[0]], ['S_W', p.stride[1]], ['OFM_H', p.ofm[0]], ['OFM_W', p.ofm[1]], ['RAM_STYLE', p.ramStyle]],
    memories: [],
  } : {
    core: 'finn_swg',
    params: [['IFM_H', p.ifm[0]], ['IFM_W', p.ifm[1]], ['C', p.channels], ['SIMD', p.simd], ['BITS', dtBits(p.dtype)],
      ['K_H', p.kernel[0]], ['K_W', p.kernel[1]], ['S_H', p.stride[0]], ['S_W', p.stride[1]], ['OFM_H', p.ofm[0]], ['OFM_W', p.ofm[1]], ['DEPTHWISE', p.depthwise ? 1 : 0], ['RAM_STYLE', p.ramStyle]],
    memories: [],
  }),
  describe: (p) => ({ detail: `${p.kernel[0]}×${p.kernel[1]} ${p.depthwise ? 'depthwise ' : isParallel(p) ? 'parallel ' : ''}windows, stride ${p.stride[0]}×${p.stride[1]}, ${dtName(p.dtype)}`, dims: `${p.ifm[0]}×${p.ifm[1]}×${p.channels} → ${p.ofm[0]}×${p.ofm[1]}` }),
};

/**
 * Windows in (kh, kw, C) order per pixel → (C/simd, kh, kw, simd): element (k, nf·simd + q) moves to (nf, k, q).
 * `k` is the number of kernel positions.
 */
export function depthwiseOrder(cols: Tensor, k: number, channels: number, simd: number): Tensor {
  const per = k * channels, nfs = channels / simd;
  const out = new Float64Array(cols.data.length);
  for (let base = 0; base < out.length; base += per) {
    let o = base;
    for (let nf = 0; nf < nfs; nf++) for (let kk = 0; kk < k; kk++) for (let q = 0; q < simd; q++) out[o++] = cols.data[base + kk * channels + nf * simd + q]!;
  }
  return { shape: [...cols.shape], data: out };
}

/** Im2Col → (FMPadding +) ConvolutionInputGenerator. */
function toSwg(g: Graph): Graph | undefined {
  const n = g.nodes.find((m) => m.op.kind === 'Im2Col');
  if (!n || n.op.kind !== 'Im2Col') return undefined;
  const x = g.tensors.get(n.inputs[0]!)!;
  if (!isIntegral(x.dtype)) fail('E_TO_HW', `node ${n.name}: sliding window over ${dtName(x.dtype)} data; the input of a convolution must be quantized`);
  const [, h, w, c] = x.shape as [number, number, number, number];
  const [, oh, ow] = g.tensors.get(n.outputs[0]!)!.shape as [number, number, number, number];
  const e = emitter(g);
  let src = n.inputs[0]!;
  let ifm: [number, number] = [h, w];
  if (n.op.pads.some((p) => p !== 0)) {
    const v = n.op.padValue;
    if (x.dtype.kind === 'bipolar' || v < dtMin(x.dtype) || v > dtMax(x.dtype)) {
      fail('E_TO_HW', `node ${n.name}: padding ${dtName(x.dtype)} activations with ${v} cannot be represented in hardware`, 'use unpadded convolutions for bipolar activations (as FINN\'s CNV does) or quantize activations to 2+ bits');
    }
    ifm = [h + n.op.pads[0] + n.op.pads[2], w + n.op.pads[1] + n.op.pads[3]];
    src = e.value(`${n.name}_padded`, [1, ifm[0], ifm[1], c], x.dtype);
    e.node(`${n.name}_pad`, { kind: 'hw.FMPadding', p: { ifm: [h, w], pads: n.op.pads, channels: c, simd: 1, dtype: x.dtype, value: v } }, [n.inputs[0]!], [src]);
  }
  e.node(n.name, { kind: 'hw.ConvolutionInputGenerator', p: { ifm, ofm: [oh, ow], channels: c, kernel: n.op.kernel, stride: n.op.stride, simd: 1, dtype: x.dtype, ramStyle: 'auto', depthwise: false } }, [src], [...n.outputs]);
  return replaceNodes(g, [n], e.nodes, e.tensors);
}

/** FINN's estimate: fill the first kh rows, then per output row the larger of emitting and reading. */
function finnCycles(p: SwgParams): number {
  const cf = p.channels / p.simd;
  return p.ifm[1] * p.kernel[0] * cf + p.ofm[0] * Math.max(p.ofm[1] * p.kernel[0] * p.kernel[1] * cf, p.stride[0] * p.ifm[1] * cf);
}

const SIM_LIMIT = 400000;
const simCache = new Map<string, number>();

/**
 * Steady-state cycles per frame of finn_swg with inputs always valid and outputs always ready: its writer/reader
 * schedule stepped cycle by cycle (the core's wr_ok/rd_ok rules on row and column counters; addresses do not matter
 * for timing) over three frames. Layers of more than SIM_LIMIT words per frame take FINN's estimate instead.
 */
export function swgCycles(p: SwgParams): number {
  if (isParallel(p)) return p.ifm[0] * p.ifm[1]; // finn_swg_par: one pixel per cycle
  const cf = p.channels / p.simd;
  const inW = p.ifm[0] * p.ifm[1] * cf, outW = p.ofm[0] * p.ofm[1] * p.kernel[0] * p.kernel[1] * cf;
  if (!Number.isInteger(cf) || inW + outW > SIM_LIMIT) return finnCycles(p);
  const key = JSON.stringify([p.ifm, p.ofm, p.kernel, p.stride, cf, p.depthwise]);
  const hit = simCache.get(key);
  if (hit !== undefined) return hit;
  const v = simulate(p, cf);
  simCache.set(key, v);
  return v;
}

function simulate(p: SwgParams, cf: number): number {
  const [kh, kwd] = p.kernel, [sh, sw] = p.stride, [oh, ow] = p.ofm;
  const rw = p.ifm[1] * cf;
  const R = kh + sh - 1 + (kh + sh === 2 && ow === 1 ? 1 : 0);
  const dw = p.depthwise;
  const kwn = dw ? kwd : kwd * cf, rstep = dw ? cf : 1;
  const frameRows = p.ifm[0] - (oh - 1) * sh;
  let gw = 0, wc = 0, gb = 0, gr = 0, bcw = 0, rc = 0, kw = 0, dcf = 0, ky = 0, ox = 0, oy = 0;
  const done: number[] = [];
  for (let cycle = 0; done.length < 3 && cycle < 4 * SIM_LIMIT; cycle++) {
    const dwb = gw - gb, dwr = gw - gr;
    const wrOk = dwb < R || (dwb === R && wc < bcw);
    const rdOk = dwr > 0 || (dwr === 0 && wc > rc);
    if (rdOk) {
      if (kw !== kwn - 1) { kw++; rc += rstep; }
      else {
        kw = 0;
        const rowStart = bcw + dcf;
        if (ky !== kh - 1) { ky++; gr++; rc = rowStart; }
        else {
          ky = 0;
          if (dw && dcf !== cf - 1) { dcf++; rc = rowStart + 1; gr = gb; }
          else if (ox !== ow - 1) { dcf = 0; ox++; bcw += sw * cf; rc = bcw; gr = gb; }
          else {
            dcf = 0; ox = 0; bcw = 0; rc = 0;
            if (oy !== oh - 1) { oy++; gb += sh; gr = gb; }
            else { oy = 0; gb += frameRows; gr = gb; done.push(cycle); }
          }
        }
      }
    }
    if (wrOk) { if (wc === rw - 1) { wc = 0; gw++; } else wc++; }
  }
  return done.length === 3 ? done[2]! - done[1]! : finnCycles(p);
}

/**
 * A parallel window in FINN's style: the kh·kw pixel window and the output stage's two registers in flip-flops (one
 * LUT per output bit for the skid multiplexer), the kh − 1 line buffers in LUTRAM (short) or block RAM.
 */
function parallelResources(p: SwgParams, part: FpgaPart): Resources {
  const win = windowElems(p) * dtBits(p.dtype);
  const { depth, width } = parallelLines(p);
  const inRam = depth > 1 && width > 0;
  const lutram = inRam && inLutram(p.ramStyle, depth);
  const ctr = 4 * (clog2(p.ifm[0] + 2) + clog2(p.ifm[1] + 2));
  return {
    LUT: Math.round((60 + win + ctr + (lutram ? width * Math.ceil(depth / 64) : 0)) * lutScale(part)),
    FF: 3 * win + ctr + (depth === 1 ? width : inRam ? width : 0), BRAM_18K: inRam && !lutram ? bram18(depth, width) : 0, URAM: 0, DSP: 0,
  };
}
