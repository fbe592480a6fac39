/** MVAU: matrix-vector-activation unit (XNOR-popcount or integer MAC, optional fused thresholds), PE × SIMD folded. */
import { minMax } from '../util/minmax.ts';
import { dtBits, dtMax, dtMin, dtName, dtSigned, int, isIntegral, smallestIntType, type DataType } from '../ir/datatype.ts';
import type { Graph, Node } from '../ir/graph.ts';
import { replaceNodes, singleConsumer } from '../ir/index.ts';
import { allInteger, type Tensor } from '../ir/tensor.ts';
import { bitsFor, mvauWeightWords, thresholdWords } from '../rtl/layout.ts';
import { fail } from '../util/errors.ts';
import { matmulRange } from '../ir/ranges.ts';
import { thresholdTable } from '../passes/streamline/thresholds.ts';
import { emitter } from '../passes/util.ts';
import { rewriteAll } from '../passes/pass.ts';
import { activationValue, bram18, checkDivides, fa, hwActivation, ice40Rom, inLutram, lutScale, plural, prod, readRamStyle, thresholdCount, uram, type RamStyle } from './common.ts';
import { macAccumulators, xnorAccumulators } from './kernels.ts';
import type { FpgaPart } from '../cost/parts.ts';
import { FIXED_FEATURE, clog2, ice40InEbr, romLogicLuts, xc7InBram, xc7LutramLuts, type CostFamily, type CostFeatures, type CostMemory } from '../cost/model.ts';
import { channelPadFor, type ChannelPadParams } from './channelpad.ts';
import { divisors, elemCode, paddedValues, port, type HwLayer, type LayerSlice, type CostRtlOptions, type Ice40Usage, type LayerRtl, type Resources, type RtlOptions } from './layer.ts';

/**
 * Node inputs: [x, W, T?] where W is the constant weight matrix [MW, MH] (x · W, as in ONNX MatMul) and T the constant
 * thresholds [MH, numThresholds] (absent when noActivation).
 * Output per neuron: noActivation ? accumulator : actVal + #{t : acc >= T[n, t]} (bipolar output: count 1 = +1).
 */
export interface MvauParams {
  readonly mw: number;
  readonly mh: number;
  readonly pe: number;
  readonly simd: number;
  readonly inputType: DataType;
  readonly weightType: DataType;
  readonly accType: DataType;
  readonly outputType: DataType;
  /** XNOR-popcount: inputs and weights bipolar, the accumulator counts agreeing bits (0..MW). */
  readonly binaryXnor: boolean;
  readonly noActivation: boolean;
  readonly numThresholds: number;
  readonly actVal: number;
  /** Input vectors per frame, e.g. [1] for FC, [OFM, OFM] for convolutions. */
  readonly numVectors: readonly number[];
  readonly ramStyle: RamStyle;
}

/**
 * The MVAU grown to (mw, mh) and the ChannelPad that feeds it the extra inputs: constants that never contribute
 * (XNOR: input +1 against weight −1; integer: weight 0), the pad as fast as the padded layer.
 */
export function paddedMvau(p: MvauParams, mw: number, mh: number): { layer: MvauParams; pad: ChannelPadParams } {
  const layer = { ...p, mw, mh };
  const value = p.inputType.kind === 'bipolar' ? 1 : 0;
  return { layer, pad: channelPadFor(p.mw, mw, p.inputType, value, p.numVectors, mvau.cycles(layer)) };
}

const up = (n: number, m: number): number => Math.ceil(n / m) * m;

export const wmem = (p: MvauParams): number => (p.mw * p.mh) / (p.pe * p.simd);
export const tmem = (p: MvauParams): number => p.mh / p.pe;
const outType = (p: MvauParams): DataType => (p.noActivation ? p.accType : p.outputType);

/** FINN's minimal accumulator width bound (arXiv 2301.13376), used in the LUT model. */
function accBitsBound(p: MvauParams): number {
  const W = dtBits(p.weightType), A = dtBits(p.inputType);
  const alpha = Math.log2(p.mw) + W + A - 1 - (dtSigned(p.inputType) ? 1 : 0);
  return Math.min(dtBits(p.accType), Math.ceil(alpha + Math.log2(1 + 2 ** -alpha) + 1));
}

/** FINN's LUT/BRAM model (finn-facts §5); FF is our own rough count. */
function resources(p: MvauParams, part: FpgaPart): Resources {
  const W = dtBits(p.weightType), A = dtBits(p.inputType);
  const P = p.pe, Q = p.simd;
  const depth = wmem(p), width = P * Q * W;
  const lutram = inLutram(p.ramStyle, depth);
  const c2 = lutram ? width * Math.ceil(depth / 64) : 0;
  const mult = Q * (2 * Math.ceil((W + A) / 6) - 1) * (W + A);
  const adder = (W + A) * (2 * Q - 1);
  const acc = accBitsBound(p);
  let thr = 0, comp = 0;
  if (!p.noActivation) {
    const S = p.numThresholds;
    thr = inLutram(p.ramStyle, tmem(p)) ? S * acc * Math.ceil(tmem(p) / 64) : 0;
    comp = S * acc;
  }
  const LUT = Math.round((300 + 1.1 * P * (mult + adder + acc + thr + comp) + c2) * lutScale(part));
  const FF = Math.round(P * (acc + dtBits(outType(p))) + Q * A * 2 + 2 * (Math.log2(depth + 1) | 0) + 64);
  const ultra = p.ramStyle === 'ultra';
  return { LUT, FF, BRAM_18K: lutram || ultra ? 0 : bram18(depth, width), URAM: ultra ? uram(depth, width) : 0, DSP: 0 };
}

const log2c = (n: number): number => (n > 1 ? Math.ceil(Math.log2(n)) : 1);

/** iCE40 model (calibrated on synth_ice40 of TFC layers; see docs/SYNTHESIS.md). */
function ice40(p: MvauParams, o: { vectorBufferInRam?: boolean }): Ice40Usage {
  const W = p.binaryXnor ? 1 : dtBits(p.weightType), A = dtBits(p.inputType);
  const acc = dtBits(p.accType);
  const SW = Math.max(acc, W + A + 2) + 1;
  const nf = p.mh / p.pe, sf = p.mw / p.simd;
  const nt = p.noActivation ? 0 : p.numThresholds;
  const obits = dtBits(outType(p));
  const dotLut = p.binaryXnor ? p.simd : p.simd * (W * A + W + A);
  const dotFf = p.binaryXnor ? log2c(p.simd) + 1 : SW;
  const u: Ice40Usage = {
    LUT: 120 + p.pe * (dotLut + SW + Math.max(0, nt - 1) * (SW + 1) + obits),
    FF: 60 + p.simd * A + p.pe * (dotFf + SW + 2 * obits),
    EBR: 0,
  };
  const add = (r: { LUT: number; EBR: number }): void => { u.LUT += r.LUT; u.EBR += r.EBR; };
  add(ice40Rom(nf * sf, p.pe * p.simd * W, p.ramStyle));
  if (nt > 0) add(ice40Rom(nf, p.pe * nt * (acc + 1), p.ramStyle));
  // the input vector buffer (replayed for nf > 1): registers and a SF:1 read mux, or a block RAM
  if (nf > 1) {
    const bits = p.mw * A;
    if (o.vectorBufferInRam && sf >= 16) add(ice40Rom(sf, p.simd * A, 'block'));
    else { u.FF += bits; u.LUT += bits + sf; }
  }
  return u;
}


/** Register bits of one PE's popcount tree with a register after every `pipe` levels (finn_mvau PIPE), and the stages. */
export function popcountPipeBits(simd: number, pipe: number): { bits: number; stages: number } {
  const levels = simd > 1 ? Math.ceil(Math.log2(simd)) : 0;
  let bits = 0, stages = 0;
  // after level k: ceil(SIMD / 2^k) counts of k + 1 bits (the field bits above them are constant zero)
  if (pipe > 0) for (let k = 0; k < levels; k++) if ((k + 1) % pipe === 0) { bits += Math.ceil(simd / 2 ** k) * (k + 1); stages++; }
  return { bits, stages };
}

/**
 * Whether Yosys maps one of finn_mvau's products (WBITS+1 × ABITS+1 signed, the extension bits a copy of the sign or
 * zero) to a DSP block: it narrows each operand to its significant bits — a product of two unsigned operands becomes
 * an unsigned W × A multiply, otherwise an unsigned operand keeps one zero bit — and mul2dsp takes multiplies with both
 * operands ≥ 2 bits and a product of at least DSP_Y_MINWIDTH bits: 9 for synth_xilinx (DSP48), 11 for synth_ice40
 * -dsp (SB_MAC16 on the UP5K). Checked on every xc7 calibration row (4u × 4s → DSP, 4u × 3u and 3s × 4u → LUTs) and on
 * 13 iCE40 type pairs (8u × 2s, 6u × 4s, 8s × 2u, 6u × 6u → SB_MAC16; 8s × 2s, 6s × 4s, 7s × 3s, 5u × 5u → LUTs).
 */
export function productInDsp(family: CostFamily, wbits: number, wSigned: boolean, abits: number, aSigned: boolean): boolean {
  const both = !wSigned && !aSigned;
  const w = both || wSigned ? wbits : wbits + 1, a = both || aSigned ? abits : abits + 1;
  return w >= 2 && a >= 2 && w + a >= (family === 'xc7' ? 9 : 11);
}

/** Features of the calibrated model (the core's structure in src/rtl/finn_mvau.v). */
function costFeatures(p: MvauParams, family: CostFamily, o?: CostRtlOptions): CostFeatures {
  const W = p.binaryXnor ? 1 : dtBits(p.weightType), A = dtBits(p.inputType);
  const acc = dtBits(p.accType), P = p.pe, Q = p.simd, xnor = p.binaryXnor;
  const aBipolar = !xnor && p.inputType.kind === 'bipolar';
  const SW = Math.max(acc, W + A + 2) + 1;
  const sf = p.mw / p.simd, nf = p.mh / p.pe;
  const nt = p.noActivation ? 0 : p.numThresholds;
  const tbits = bitsFor(Math.min(-1, dtMin(p.accType)), dtMax(p.accType) + 1);
  const CW = Math.max(acc, tbits) + 1, O = dtBits(outType(p));
  const wmemShape: CostMemory = { depth: nf * sf, width: P * Q * W, rom: true, style: p.ramStyle };
  const tmemShape: CostMemory = { depth: nf, width: P * Math.max(1, nt) * tbits, rom: true, style: p.ramStyle };
  // the input-vector buffer (replayed for NF > 1): LUTRAM on 7-series (style distributed), the tool's choice on iCE40
  const ibufShape: CostMemory = { depth: sf, width: Q * A, rom: false, style: family === 'xc7' ? 'distributed' : 'auto' };
  const mems = [wmemShape, ...(nt > 0 ? [tmemShape] : []), ...(nf > 1 ? [ibufShape] : [])];
  const inBlock = (m: CostMemory): boolean => (family === 'xc7' ? xc7InBram(m) : ice40InEbr(m));
  const wLogic = !inBlock(wmemShape) && wmemShape.depth > 1, tLogic = nt > 0 && !inBlock(tmemShape) && nf > 1;
  const dsp = o?.dspBlocks !== false && !xnor && !aBipolar && productInDsp(family, W, dtSigned(p.weightType), A, p.inputType.kind === 'int' && p.inputType.signed) ? P * Q : 0;
  const macBits = xnor || dsp ? 0 : P * Q * (aBipolar ? W + 1 : (W + 1) * (A + 1));
  const ibufLogic = nf > 1 && !inBlock(ibufShape) ? Q * A * sf : 0;
  const ibuf = nf > 1 && family === 'xc7' ? xc7LutramLuts(sf, Q * A) : ibufLogic;
  const ctr = clog2(sf) + clog2(nf) + clog2(sf * nf);
  const pipe = xnor ? popcountPipeBits(Q, o?.popcountPipe ?? 0) : { bits: 0, stages: 0 };
  return {
    LUT: {
      // no constant term: small samples would explain the lanes by it, and large layers are all lanes
      // XNOR lanes: the popcount for all; the XNOR gates where they need logic of their own — weights from block RAM, or
      // from a logic ROM deeper than 32 words (its LUT6 has no input left; shallower ROMs absorb the XNOR, constant
      // weights fold it away) — and constant weights as a class of their own
      pe: P, xnor_pop: xnor ? P * Q : 0, xnor_gate: xnor && (inBlock(wmemShape) || (wLogic && wmemShape.depth > 32)) ? P * Q : 0,
      xnor_const: xnor && wmemShape.depth <= 1 ? P * Q : 0, mac_bits: macBits, adder: xnor ? 0 : P * Q * SW, dsp_adder: dsp ? P * SW : 0, acc: P * SW,
      thr_cmp: P * nt * CW, wrom: wLogic ? romLogicLuts(wmemShape.depth, wmemShape.width, family) : 0,
      trom: tLogic ? romLogicLuts(tmemShape.depth, tmemShape.width, family) : 0, ibuf, ctr,
    },
    FF: {
      const: 1, acc: 2 * P * SW, out: P * O, act: Q * A, // a LUT ROM's read register stays on the data side for deeper ROMs (Yosys moves it to the address of tiny ones)
      wq: wLogic && wmemShape.depth > 4 ? wmemShape.width : 0, tq: tLogic && nf > 4 ? tmemShape.width : 0,
      ibuf: family === 'ice40' ? ibufLogic : 0, ctr,
      // popcount-tree registers (PIPE) and the control delayed beside them; the half compares' registers (CREG: greater,
      // equal, low greater-or-equal per threshold); the
      // one-hot write selects of a flip-flop vector buffer (IBUF_FF)
      pipe: P * pipe.bits, pipe_ctl: pipe.stages * (3 + clog2(nf)), creg: o?.popcountPipe && nt > 0 ? 3 * P * nt + 1 : 0, wsel: ibufInFlops(p, o) ? sf : 0,
    },
    DSP: { [FIXED_FEATURE]: dsp },
    memories: mems,
  };
}

export const mvau: HwLayer<'hw.MVAU', MvauParams> = {
  kind: 'hw.MVAU',
  finnName: 'MVAU',
  finnAliases: ['MatrixVectorActivation'],
  color: '#3b82f6',
  readFinn(r) {
    const noActivation = r.bool('noActivation', false);
    const t = r.inputShape(2);
    if (!noActivation && (!t || t.length !== 2)) r.fail('needs a threshold tensor of shape [channels, steps] as input 2', 'give the node its threshold initializer, or set noActivation=1');
    return {
      mw: r.int('MW'), mh: r.int('MH'), pe: r.int('PE'), simd: r.int('SIMD'),
      inputType: r.dtype('inputDataType'), weightType: r.dtype('weightDataType'), accType: r.dtype('accDataType', 'INT32'), outputType: r.dtype('outputDataType'),
      binaryXnor: r.bool('binaryXnorMode', false), noActivation, numThresholds: noActivation ? 0 : t![1]!,
      actVal: r.int('ActVal', 0), numVectors: r.ints('numInputVectors', [1]), ramStyle: readRamStyle(r),
    };
  },
  writeFinn: (p) => [
    fa.int('MW', p.mw), fa.int('MH', p.mh), fa.int('PE', p.pe), fa.int('SIMD', p.simd),
    fa.dtype('inputDataType', p.inputType), fa.dtype('weightDataType', p.weightType), fa.dtype('outputDataType', p.outputType), fa.dtype('accDataType', p.accType),
    fa.int('binaryXnorMode', p.binaryXnor), fa.int('noActivation', p.noActivation), fa.int('ActVal', p.actVal),
    fa.ints('numInputVectors', p.numVectors), fa.str('ram_style', p.ramStyle),
  ],
  lower: { name: 'hw/to-mvau', summary: 'MatMul/XnorPopcountMatMul (+ MultiThreshold) → MVAU', run: (g) => rewriteAll(g, toMvau) },
  folding: (p) => [{ key: 'simd', values: divisors(p.mw) }, { key: 'pe', values: divisors(p.mh) }],
  checkFolding(p, node) {
    checkDivides(node, 'SIMD', p.simd, p.mw, `MW=${p.mw}`);
    checkDivides(node, 'PE', p.pe, p.mh, `MH=${p.mh}`);
  },
  paddable: true,
  inputPadding: { key: 'simd', values: (p) => paddedValues(p.mw), padded: (p, v) => paddedMvau({ ...p, simd: v }, up(p.mw, v), p.mh) },
  synthSlices,
  weightBits: (p) => dtBits(p.weightType),
  cycles: (p) => (p.mh / p.pe) * (p.mw / p.simd) * prod(p.numVectors),
  resources,
  ice40,
  costFeatures,
  calibrationCore: 'mvau',
  execute(p, [x, w, t]) {
    const rows = x!.data.length / p.mw;
    const acc = (p.binaryXnor ? xnorAccumulators : macAccumulators)(x!.data, w!.data, rows, p.mw, p.mh);
    const out = p.noActivation ? acc : acc.map((a, i) => activationValue(thresholdCount(a, t!.data, i % p.mh, p.numThresholds), p.actVal, p.outputType));
    // a flattened stream (e.g. NHWC pixels feeding an FC layer) comes as [..., C] with C ≠ MW: one vector per MW elements
    const shape = x!.shape.at(-1) === p.mw ? [...x!.shape.slice(0, -1), p.mh] : [rows, p.mh];
    return [{ shape, data: out } satisfies Tensor];
  },
  inputs: (p) => [port(p.inputType, p.simd, p.mw * prod(p.numVectors))],
  outputs: (p) => [port(outType(p), p.pe, p.mh * prod(p.numVectors))],
  outTypes: (p) => [outType(p)],
  rtl: mvauRtl,
  describe(p) {
    const mac = p.binaryXnor ? 'XNOR-popcount' : `${dtName(p.weightType)} weights × ${dtName(p.inputType)} inputs`;
    const act = p.noActivation ? 'raw accumulators out' : `${plural(p.numThresholds, 'threshold')} per neuron`;
    const vec = prod(p.numVectors);
    return { detail: `${mac}, ${act}`, dims: `${p.mw} → ${p.mh}${vec > 1 ? ` ×${vec}` : ''}` };
  },
};

/**
 * PE × SIMD above `maxLanes`: the fewest groups of PE/parts processing elements (parts dividing PE) of at most
 * maxLanes/2 lanes, each an MVAU over the same input with exactly those PEs' weight and threshold rows (PE i of part
 * j is PE j·PE/parts + i); the pair is parts 0 and 1 as one MVAU.
 */
function synthSlices(p: MvauParams, consts: readonly Tensor[], maxLanes: number): { parts: LayerSlice<MvauParams>[]; pair?: LayerSlice<MvauParams> } | undefined {
  if (p.pe * p.simd <= maxLanes) return undefined;
  const parts = divisors(p.pe).find((s) => (p.pe * p.simd) / s <= maxLanes / 2);
  if (parts === undefined) return undefined;
  const all = Array.from({ length: parts }, (_, j) => peGroup(p, consts, p.pe / parts, j));
  return { parts: all, pair: parts % 2 === 0 ? peGroup(p, consts, (2 * p.pe) / parts, 0) : undefined };
}

/** Group j of `pe` processing elements as an MVAU of its own (their neurons' weight and threshold rows). */
function peGroup(p: MvauParams, [w, t]: readonly Tensor[], pe: number, j: number): LayerSlice<MvauParams> {
  const mh = (p.mh / p.pe) * pe;
  const neuron = (m: number): number => Math.floor(m / pe) * p.pe + j * pe + (m % pe);
  const ws = new Float64Array(p.mw * mh);
  for (let c = 0; c < p.mw; c++) for (let m = 0; m < mh; m++) ws[c * mh + m] = w!.data[c * p.mh + neuron(m)]!;
  const consts: Tensor[] = [{ shape: [p.mw, mh], data: ws }];
  if (t) {
    const s = p.numThresholds, ts = new Float64Array(mh * s);
    for (let m = 0; m < mh; m++) ts.set(t.data.subarray(neuron(m) * s, neuron(m) * s + s), m * s);
    consts.push({ shape: [mh, s], data: ts });
  }
  return { p: { ...p, pe, mh }, consts };
}

/** Row n of the transposed weights (neuron n over all input columns), encoded for the core. */
function weightRows(p: MvauParams, w: Tensor): number[][] {
  const rows: number[][] = [];
  for (let n = 0; n < p.mh; n++) {
    const row: number[] = new Array(p.mw);
    for (let c = 0; c < p.mw; c++) {
      const v = w.data[c * p.mh + n]!;
      row[c] = p.binaryXnor ? (v > 0 ? 1 : 0) : v;
    }
    rows.push(row);
  }
  return rows;
}

/**
 * The input-vector buffer as flip-flops with registered write selects (IBUF_FF): on parts without LUT RAM, when the
 * buffer is too small for a block RAM (larger ones Yosys maps to EBR by moving the read address register into it).
 */
function ibufInFlops(p: MvauParams, o?: RtlOptions): boolean {
  if (!o?.flopMemories || p.mh === p.pe) return false;
  return !ice40InEbr({ depth: p.mw / p.simd, width: p.simd * dtBits(p.inputType), rom: false, style: 'auto' });
}

function mvauRtl(p: MvauParams, [w, t]: readonly Tensor[], o?: RtlOptions): LayerRtl {
  const partOpts: [string, number][] = [...(p.binaryXnor && o?.popcountPipe ? [['PIPE', o.popcountPipe] as [string, number]] : []), ...(ibufInFlops(p, o) ? [['IBUF_FF', 1] as [string, number]] : []),
    // parts that pipeline popcount trees for the clock also register the threshold compares
    ...(o?.popcountPipe && !p.noActivation ? [['CREG', 1] as [string, number]] : [])];
  const wbits = p.binaryXnor ? 1 : dtBits(p.weightType);
  const memories: LayerRtl['memories'][number][] = [
    { param: 'WEIGHT_FILE', suffix: 'weights', width: p.pe * p.simd * wbits, words: mvauWeightWords(weightRows(p, w!), p.pe, p.simd, wbits) },
  ];
  let tbits = 2;
  if (!p.noActivation) {
    const s = p.numThresholds;
    const rows = Array.from({ length: p.mh }, (_, n) => Array.from(t!.data.subarray(n * s, (n + 1) * s)));
    tbits = bitsFor(...minMax(rows.flat(), [Math.min(-1, dtMin(p.accType)), dtMax(p.accType) + 1]));
    memories.push({ param: 'THRESH_FILE', suffix: 'thresholds', width: p.pe * s * tbits, words: thresholdWords(rows, p.pe, tbits) });
  }
  return {
    core: 'finn_mvau',
    params: [
      ['MW', p.mw], ['MH', p.mh], ['PE', p.pe], ['SIMD', p.simd], ['WBITS', wbits], ['ABITS', dtBits(p.inputType)],
      ['W_SIGNED', !p.binaryXnor && dtSigned(p.weightType) ? 1 : 0], ['A_SIGNED', p.inputType.kind === 'int' && p.inputType.signed ? 1 : 0],
      ['A_BIPOLAR', !p.binaryXnor && p.inputType.kind === 'bipolar' ? 1 : 0], ['BINARY_XNOR', p.binaryXnor ? 1 : 0],
      ['ACC_BITS', dtBits(p.accType)], ['USE_THRESH', p.noActivation ? 0 : 1], ['NTHRESH', Math.max(1, p.numThresholds)], ['TBITS', tbits],
      ['OBITS', elemCode(outType(p)).bits], ['ACT_VAL', p.actVal], ['N_VECTORS', prod(p.numVectors)], ['RAM_STYLE', p.ramStyle], ...partOpts,
    ],
    memories,
  };
}

// ---- lowering: MatMul / XnorPopcountMatMul with constant weights (+ a following MultiThreshold) → MVAU ----

function checkOperand(n: Node, what: string, t: DataType): void {
  if (!isIntegral(t) || dtBits(t) > 8) {
    fail('E_TO_HW', `node ${n.name}: ${what} datatype ${dtName(t)} is not supported by the MVAU (integers up to 8 bits or bipolar)`, 'make sure the model quantizes this tensor (streamlining turns Quant into thresholds)');
  }
}

function toMvau(g: Graph): Graph | undefined {
  const mm = g.nodes.find((n) => (n.op.kind === 'MatMul' || n.op.kind === 'XnorPopcountMatMul') && g.tensors.get(n.inputs[1]!)?.value
    && isIntegral(g.tensors.get(n.inputs[0]!)!.dtype));
  if (!mm) return undefined;
  const x = g.tensors.get(mm.inputs[0]!)!, w = g.tensors.get(mm.inputs[1]!)!;
  const xnor = mm.op.kind === 'XnorPopcountMatMul';
  checkOperand(mm, 'input', x.dtype);
  checkOperand(mm, 'weight', w.dtype);
  if (!allInteger(w.value!)) fail('E_TO_HW', `node ${mm.name}: weights are not integers`);
  const [mw, mh] = w.value!.shape as [number, number];
  const range = xnor ? [0, mw] : matmulRange(w.value!, dtMin(x.dtype), dtMax(x.dtype));
  // the accumulator is signed whenever an operand can be negative (as the MVAU core computes it)
  const signedAcc = !xnor && (dtSigned(x.dtype) || dtSigned(w.dtype));
  const accType = smallestIntType(Math.min(signedAcc ? -1 : 0, range[0]!), range[1]!);
  const next = singleConsumer(g, mm);
  const mt = next && next.op.kind === 'MultiThreshold' && next.inputs[0] === mm.outputs[0] && g.tensors.get(next.inputs[1]!)?.value ? next : undefined;
  const e = emitter(g);
  const inputs = [mm.inputs[0]!, mm.inputs[1]!];
  let act = { outType: accType, actVal: 0 }, steps = 0;
  if (mt) {
    act = hwActivation(mt);
    const tab = thresholdTable(g.tensors.get(mt.inputs[1]!)!.value!, mh);
    if (!tab.data.every(Number.isInteger)) fail('E_TO_HW', `node ${mt.name}: thresholds are not integers after streamlining`);
    steps = tab.steps;
    inputs.push(e.constant(`${mm.name}_thres`, { shape: [mh, steps], data: tab.data }, smallestIntType(...minMax(tab.data, [0, 0]))));
  }
  const lead = x.shape.slice(1, -1);
  const p: MvauParams = {
    // bipolar weights against integer inputs are stored as INT2 (±1) and multiplied like any integer weight
    mw, mh, pe: 1, simd: 1, inputType: x.dtype, weightType: !xnor && w.dtype.kind === 'bipolar' ? int(2) : w.dtype, accType, outputType: act.outType,
    binaryXnor: xnor, noActivation: !mt, numThresholds: steps, actVal: act.actVal,
    numVectors: lead.length ? lead : [1], ramStyle: 'auto',
  };
  e.node(mm.name, { kind: 'hw.MVAU', p }, inputs, [mt ? mt.outputs[0]! : mm.outputs[0]!]);
  return replaceNodes(g, mt ? [mm, mt] : [mm], e.nodes, e.tensors);
}
