/**
 * VVAU (FINN VectorVectorActivation): depthwise convolution behind a depthwise sliding window — channel c's kh·kw
 * window times its own kh·kw weights (integer MAC or XNOR-popcount), then thresholds or the raw accumulator.
 * PE splits the channels, SIMD the kernel. The input is the depthwise window stream, elements in (C/PE, K, PE) order
 * per output pixel (swg.ts with SIMD = this PE; a width converter widens it to SIMD·PE elements per word).
 */
import { minMax } from '../util/minmax.ts';
import { dtBits, dtMax, dtMin, dtName, dtSigned, isIntegral, smallestIntType, type DataType } from '../ir/datatype.ts';
import { consumers, producer, replaceNodes, singleConsumer, type Graph } from '../ir/index.ts';
import { matmulRange } from '../ir/ranges.ts';
import { fail } from '../util/errors.ts';
import { thresholdTable } from '../passes/streamline/thresholds.ts';
import { emitter } from '../passes/util.ts';
import { rewriteAll } from '../passes/pass.ts';
import type { Tensor } from '../ir/tensor.ts';
import type { FpgaPart } from '../cost/parts.ts';
import { bitsFor, mvauWeightWords, thresholdWords } from '../rtl/layout.ts';
import { activationValue, bram18, checkDivides, fa, hwActivation, inLutram, lutScale, plural, readPair, readRamStyle, thresholdCount, uram, type RamStyle } from './common.ts';
import { macAccumulators, xnorAccumulators } from './kernels.ts';
import { divisors, elemCode, port, type HwLayer, type LayerRtl, type Resources } from './layer.ts';

export const VVAU_RES_TYPES = ['auto', 'lut', 'dsp'] as const;
/** Where FINN keeps the weights; both are a ROM inside the layer here (FINN's `external` streams them in: unsupported). */
export const VVAU_MEM_MODES = ['internal_embedded', 'internal_decoupled'] as const;

/**
 * Node inputs: [x, W, T?] with x [1, H, W, C·K] in (C/PE, K, PE) order, W [C, 1, kh, kw] and T [C, steps] (absent
 * when noActivation). Output [1, H, W, C]: noActivation ? acc : actVal + #{t : acc ≥ T[c, t]} (bipolar: count 1 = +1).
 */
export interface VvauParams {
  readonly channels: number;
  readonly kernel: readonly [number, number];
  /** Output feature map [H, W] (FINN's Dim). */
  readonly dim: readonly [number, number];
  readonly pe: number;
  readonly simd: number;
  readonly inputType: DataType;
  readonly weightType: DataType;
  readonly accType: DataType;
  readonly outputType: DataType;
  /** XNOR-popcount: inputs and weights bipolar (or binary read as bipolar), the accumulator counts agreeing bits. */
  readonly binaryXnor: boolean;
  readonly noActivation: boolean;
  readonly numThresholds: number;
  readonly actVal: number;
  readonly ramStyle: RamStyle;
  readonly memMode: (typeof VVAU_MEM_MODES)[number];
  readonly resType: (typeof VVAU_RES_TYPES)[number];
}

const kernelSize = (p: VvauParams): number => p.kernel[0] * p.kernel[1];
const pixels = (p: VvauParams): number => p.dim[0] * p.dim[1];
const outType = (p: VvauParams): DataType => (p.noActivation ? p.accType : p.outputType);
/** Weight memory depth: C·K/(PE·SIMD) words of PE·SIMD weights. */
export const vvauWmem = (p: VvauParams): number => (p.channels * kernelSize(p)) / (p.pe * p.simd);
/** Weight bits per lane in the core: bipolar weights against integer inputs are ±1 in 2-bit two's complement. */
const coreWeightBits = (p: VvauParams): number => (p.binaryXnor ? 1 : p.weightType.kind === 'bipolar' ? 2 : dtBits(p.weightType));

/** FINN's VVAU models (finn-facts §5 for the MVAU, with MW = kh·kw): LUT, BRAM/URAM for weights, DSP with resType dsp. */
function resources(p: VvauParams, part: FpgaPart): Resources {
  const W = dtBits(p.weightType), A = dtBits(p.inputType), P = p.pe, Q = p.simd;
  const depth = vvauWmem(p), width = P * Q * W;
  const lutram = inLutram(p.ramStyle, depth);
  const dsp = p.resType === 'dsp';
  const mult = dsp ? 0 : Q * (2 * Math.ceil((W + A) / 6) - 1) * (W + A);
  const adder = (W + A) * (2 * Q - 1);
  const alpha = Math.log2(kernelSize(p)) + W + A - 1 - (dtSigned(p.inputType) ? 1 : 0);
  const acc = Math.min(dtBits(p.accType), Math.ceil(alpha + Math.log2(1 + 2 ** -alpha) + 1));
  const tmem = p.channels / P;
  const thr = p.noActivation ? 0 : p.numThresholds * acc * (inLutram(p.ramStyle, tmem) ? Math.ceil(tmem / 64) : 0);
  const comp = p.noActivation ? 0 : p.numThresholds * acc;
  const LUT = Math.round((300 + 1.1 * P * (mult + adder + acc + thr + comp) + (lutram ? width * Math.ceil(depth / 64) : 0)) * lutScale(part));
  // FF: our own rough count (pipeline registers, accumulators, output stage)
  const FF = Math.round(P * Q * A + P * (2 * acc + 2 * dtBits(outType(p))) + 64);
  const ultra = p.ramStyle === 'ultra';
  return { LUT, FF, BRAM_18K: lutram || ultra ? 0 : bram18(depth, width), URAM: ultra ? uram(depth, width) : 0, DSP: dsp ? P * Q * Math.ceil((W + A) / 48) : 0 };
}

export const vvau: HwLayer<'hw.VVAU', VvauParams> = {
  kind: 'hw.VVAU',
  finnName: 'VVAU',
  finnAliases: ['VectorVectorActivation'],
  color: '#6366f1',
  readFinn(r) {
    const noActivation = r.bool('noActivation', false);
    const t = r.inputShape(2);
    if (!noActivation && (!t || t.length !== 2)) r.fail('needs a threshold tensor of shape [channels, steps] as input 2', 'give the node its threshold initializer, or set noActivation=1');
    const mode = r.string('mem_mode', 'internal_decoupled');
    if (mode === 'external') r.fail('mem_mode=external (weights streamed into the layer) is not supported', 'use mem_mode internal_embedded or internal_decoupled: the weights become a ROM in the layer');
    const memMode = mode === 'const' || mode === 'internal_embedded' ? 'internal_embedded' : mode === 'decoupled' || mode === 'internal_decoupled' ? 'internal_decoupled'
      : r.fail(`mem_mode=${mode} is not a FINN memory mode`);
    const p: VvauParams = {
      channels: r.int('Channels'), kernel: readPair(r, 'Kernel'), dim: readPair(r, 'Dim'), pe: r.int('PE'), simd: r.int('SIMD', 1),
      inputType: r.dtype('inputDataType'), weightType: r.dtype('weightDataType'), accType: r.dtype('accDataType', 'INT32'), outputType: r.dtype('outputDataType'),
      binaryXnor: r.bool('binaryXnorMode', false), noActivation, numThresholds: noActivation ? 0 : t![1]!, actVal: r.int('ActVal', 0),
      ramStyle: readRamStyle(r), memMode, resType: r.oneOf('resType', VVAU_RES_TYPES, 'auto'),
    };
    const w = r.inputShape(1);
    if (w && w.reduce((a, b) => a * b, 1) !== p.channels * kernelSize(p)) r.fail(`weights of shape [${w.join(',')}]; expected [${p.channels},1,${p.kernel.join(',')}]`);
    return p;
  },
  writeFinn: (p) => [
    fa.int('PE', p.pe), fa.int('SIMD', p.simd), fa.ints('Dim', p.dim), fa.int('Channels', p.channels), fa.ints('Kernel', p.kernel),
    fa.dtype('inputDataType', p.inputType), fa.dtype('weightDataType', p.weightType), fa.dtype('outputDataType', p.outputType), fa.dtype('accDataType', p.accType),
    fa.int('ActVal', p.actVal), fa.int('noActivation', p.noActivation), fa.int('binaryXnorMode', p.binaryXnor),
    fa.str('mem_mode', p.memMode), fa.str('ram_style', p.ramStyle), fa.str('resType', p.resType),
  ],
  lower: { name: 'hw/to-vvau', summary: 'sliding window + block-diagonal MatMul (a depthwise conv) (+ MultiThreshold) → depthwise window + VVAU', run: (g) => rewriteAll(g, toVvau) },
  // the depthwise window's element order depends on its SIMD: it must equal this PE; with PE = channels and SIMD > 1
  // the window must come faster than one pixel's channels per cycle: a parallel window (FINN sets parallel_window = 1)
  producerFolding: (p) => ({ simd: p.pe === p.channels && p.simd > 1 ? kernelSize(p) * p.channels : p.pe }),
  // FINN's SetFolding raises PE first, then SIMD once PE = channels
  folding: (p) => [{ key: 'pe', values: divisors(p.channels) }, { key: 'simd', values: divisors(kernelSize(p)) }],
  checkFolding(p, node) {
    checkDivides(node, 'PE', p.pe, p.channels, `the ${p.channels} channels`);
    checkDivides(node, 'SIMD', p.simd, kernelSize(p), `the ${p.kernel[0]}×${p.kernel[1]} kernel`);
  },
  // FINN applies mvau_wwidth_max to the MVAU only
  weightBits: () => 0,
  cycles: (p) => ((p.channels * kernelSize(p)) / p.pe / p.simd) * pixels(p),
  resources,
  execute(p, [x, w, t]) {
    const k = kernelSize(p), c = p.channels, per = c * k;
    const px = x!.data.length / per;
    const out = new Float64Array(px * c);
    const xc = new Float64Array(px * k);
    for (let ch = 0; ch < c; ch++) {
      // channel ch's windows: element (nf, kk, q) of a pixel with nf·PE + q = ch
      const base = Math.floor(ch / p.pe) * k * p.pe + (ch % p.pe);
      for (let i = 0; i < px; i++) for (let kk = 0; kk < k; kk++) xc[i * k + kk] = x!.data[i * per + base + kk * p.pe]!;
      const wc = w!.data.subarray(ch * k, (ch + 1) * k);
      const acc = (p.binaryXnor ? xnorAccumulators : macAccumulators)(xc, wc, px, k, 1);
      for (let i = 0; i < px; i++) out[i * c + ch] = p.noActivation ? acc[i]! : activationValue(thresholdCount(acc[i]!, t!.data, ch, p.numThresholds), p.actVal, p.outputType);
    }
    return [{ shape: [...x!.shape.slice(0, -1), c], data: out }];
  },
  inputs: (p) => [port(p.inputType, p.pe * p.simd, p.channels * kernelSize(p) * pixels(p))],
  outputs: (p) => [port(outType(p), p.pe, p.channels * pixels(p))],
  outTypes: (p) => [outType(p)],
  rtl: vvauRtl,
  describe(p) {
    const mac = p.binaryXnor ? 'XNOR-popcount' : `${dtName(p.weightType)} weights × ${dtName(p.inputType)} inputs`;
    const act = p.noActivation ? 'raw accumulators out' : `${plural(p.numThresholds, 'threshold')} per channel`;
    return { detail: `depthwise ${p.kernel[0]}×${p.kernel[1]}, ${mac}, ${act}`, dims: `${p.channels} ch, ${p.dim[0]}×${p.dim[1]} out` };
  },
};

function vvauRtl(p: VvauParams, [w, t]: readonly Tensor[]): LayerRtl {
  const k = kernelSize(p), wbits = coreWeightBits(p);
  const rows = Array.from({ length: p.channels }, (_, c) => Array.from(w!.data.subarray(c * k, (c + 1) * k), (v) => (p.binaryXnor ? (v > 0 ? 1 : 0) : v)));
  const memories: LayerRtl['memories'][number][] = [{ param: 'WEIGHT_FILE', suffix: 'weights', width: p.pe * p.simd * wbits, words: mvauWeightWords(rows, p.pe, p.simd, wbits) }];
  let tbits = 2;
  if (!p.noActivation) {
    const s = p.numThresholds;
    const thr = Array.from({ length: p.channels }, (_, c) => Array.from(t!.data.subarray(c * s, (c + 1) * s)));
    tbits = bitsFor(...minMax(thr.flat(), [Math.min(-1, dtMin(p.accType)), dtMax(p.accType) + 1]));
    memories.push({ param: 'THRESH_FILE', suffix: 'thresholds', width: p.pe * s * tbits, words: thresholdWords(thr, p.pe, tbits) });
  }
  const a = elemCode(p.inputType);
  return {
    core: 'finn_vvau',
    params: [
      ['C', p.channels], ['K', k], ['PE', p.pe], ['SIMD', p.simd], ['WBITS', wbits], ['ABITS', a.bits],
      ['W_SIGNED', !p.binaryXnor && dtSigned(p.weightType) ? 1 : 0], ['A_SIGNED', !p.binaryXnor && a.signed ? 1 : 0],
      ['A_BIPOLAR', !p.binaryXnor && a.bipolar ? 1 : 0], ['BINARY_XNOR', p.binaryXnor ? 1 : 0],
      ['ACC_BITS', dtBits(p.accType)], ['USE_THRESH', p.noActivation ? 0 : 1], ['NTHRESH', Math.max(1, p.numThresholds)], ['TBITS', tbits],
      ['OBITS', elemCode(outType(p)).bits], ['ACT_VAL', p.actVal], ['RAM_STYLE', p.ramStyle],
    ],
    memories,
  };
}

// ---- lowering: a standard sliding window feeding a MatMul whose weights are block-diagonal (a depthwise conv) ----

/** Per-channel kh·kw weights of a [K·C, C] matrix that is zero off the block diagonal, else undefined. */
function depthwiseWeights(w: Tensor, k: number, c: number): Float64Array | undefined {
  if (w.shape[0] !== k * c || w.shape[1] !== c) return undefined;
  const out = new Float64Array(c * k);
  for (let kk = 0; kk < k; kk++) for (let ci = 0; ci < c; ci++) for (let co = 0; co < c; co++) {
    const v = w.data[(kk * c + ci) * c + co]!;
    if (ci === co) out[co * k + kk] = v;
    else if (v !== 0) return undefined;
  }
  return out;
}

function toVvau(g: Graph): Graph | undefined {
  for (const mm of g.nodes) {
    if (mm.op.kind !== 'MatMul') continue;
    const sw = producer(g, mm.inputs[0]!);
    const wInfo = g.tensors.get(mm.inputs[1]!);
    if (!sw || sw.op.kind !== 'hw.ConvolutionInputGenerator' || sw.op.p.depthwise || !wInfo?.value || consumers(g, sw.outputs[0]!).length !== 1) continue;
    const sp = sw.op.p, k = sp.kernel[0] * sp.kernel[1];
    const wd = depthwiseWeights(wInfo.value, k, sp.channels);
    if (!wd || !wd.every(Number.isInteger)) continue;
    const x = g.tensors.get(mm.inputs[0]!)!;
    if (!isIntegral(x.dtype) || dtBits(x.dtype) > 8) fail('E_TO_HW', `node ${mm.name}: depthwise convolution over ${dtName(x.dtype)} inputs (integers up to 8 bits or bipolar are supported)`);
    const wType = smallestIntType(...minMax(Array.from(wd), [0, 0]));
    const bin = x.dtype.kind === 'bipolar' && wInfo.dtype.kind === 'bipolar';
    const range = bin ? [0, k] : matmulRange({ shape: [k * sp.channels, sp.channels], data: wInfo.value.data }, dtMin(x.dtype), dtMax(x.dtype));
    const accType = smallestIntType(Math.min(bin ? 0 : dtSigned(x.dtype) || dtSigned(wType) ? -1 : 0, range[0]!), range[1]!);
    const next = singleConsumer(g, mm);
    const mt = next?.op.kind === 'MultiThreshold' && next.inputs[0] === mm.outputs[0] && g.tensors.get(next.inputs[1]!)?.value ? next : undefined;
    const e = emitter(g);
    const inputs = [mm.inputs[0]!, e.constant(`${mm.name}_W`, { shape: [sp.channels, 1, sp.kernel[0], sp.kernel[1]], data: bin ? wd.map((v) => (v > 0 ? 1 : -1)) : wd }, bin ? wInfo.dtype : wType)];
    let act = { outType: accType, actVal: 0 }, steps = 0;
    if (mt) {
      act = hwActivation(mt);
      const tab = thresholdTable(g.tensors.get(mt.inputs[1]!)!.value!, sp.channels);
      if (!tab.data.every(Number.isInteger)) fail('E_TO_HW', `node ${mt.name}: thresholds are not integers after streamlining`);
      steps = tab.steps;
      inputs.push(e.constant(`${mm.name}_thres`, { shape: [sp.channels, steps], data: tab.data }, smallestIntType(...minMax(Array.from(tab.data), [0, 0]))));
    }
    // binarized depthwise (bipolar × bipolar) counts agreeing bits like the XNOR MVAU: acc' = (acc + K) / 2
    if (bin) fail('E_TO_HW', `node ${mm.name}: a bipolar × bipolar depthwise convolution is not supported yet`, 'use integer weights or activations for depthwise layers');
    e.node(sw.name, { kind: 'hw.ConvolutionInputGenerator', p: { ...sp, depthwise: true } }, [...sw.inputs], [...sw.outputs]);
    e.node(mm.name, { kind: 'hw.VVAU', p: {
      channels: sp.channels, kernel: sp.kernel, dim: sp.ofm, pe: 1, simd: 1, inputType: x.dtype, weightType: wType, accType, outputType: act.outType,
      binaryXnor: false, noActivation: !mt, numThresholds: steps, actVal: act.actVal, ramStyle: 'auto', memMode: 'internal_decoupled', resType: 'auto',
    } }, inputs, [mt ? mt.outputs[0]! : mm.outputs[0]!]);
    return replaceNodes(g, mt ? [sw, mm, mt] : [sw, mm], e.nodes, e.tensors);
  }
  return undefined;
}
