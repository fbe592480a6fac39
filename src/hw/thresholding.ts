/** Thresholding: standalone multi-threshold activation on a stream, PE channels per cycle. */
import { minMax } from '../util/minmax.ts';
import { dtBits, dtMax, dtMin, dtName, dtSigned, isIntegral, smallestIntType, type DataType } from '../ir/datatype.ts';
import { replaceNodes, type Graph } from '../ir/index.ts';
import { bitsFor, thresholdWords } from '../rtl/layout.ts';
import { fail } from '../util/errors.ts';
import { mtChannelAxis, thresholdTable } from '../passes/streamline/thresholds.ts';
import { emitter } from '../passes/util.ts';
import { rewriteAll } from '../passes/pass.ts';
import { activationValue, bram18, checkDivides, fa, hwActivation, ice40Rom, inLutram, lutScale, plural, prod, readRamStyle, thresholdCount, type RamStyle } from './common.ts';
import { divisors, elemCode, port, type HwLayer, type LayerRtl } from './layer.ts';
import { clog2, ice40InEbr, romLogicLuts, xc7InBram, type CostFamily, type CostFeatures, type CostMemory } from '../cost/model.ts';

/**
 * How the hardware computes the activation: NTHRESH comparators per lane against a threshold ROM (finn_thresholding,
 * FINN's design), or for narrow inputs a table of every input value's result (finn_thresh_table).
 */
export type ThresholdImpl = 'compare' | 'table';
export const THRESHOLD_IMPLS: readonly ThresholdImpl[] = ['compare', 'table'];

/** Node inputs: [x, T] with T [C, numThresholds]; channels are the last axis of x. */
export interface ThresholdingParams {
  readonly channels: number;
  readonly pe: number;
  readonly inputType: DataType;
  readonly outputType: DataType;
  readonly numThresholds: number;
  readonly actVal: number;
  readonly numVectors: readonly number[];
  readonly ramStyle: RamStyle;
  readonly impl: ThresholdImpl;
}

/** Bits of one stored threshold: enough for the input range plus one (thresholds are clipped to [min, max+1]). */
export function thresholdBits(p: { inputType: DataType }): number {
  return dtBits(p.inputType) + 1;
}

/** Widest input the table implementation takes (2^12 entries per channel). */
const TABLE_MAX_BITS = 12;

/**
 * The implementation for these types: a table when the input is narrow and the table (2^A results of O bits per
 * channel) is at most twice the thresholds it replaces (NTHRESH of A+1 bits per channel) — then it saves every
 * comparator for no more memory (an 8-bit input quantizer: 256 × 8 bits against 255 × 9 bits and 255 comparators).
 */
export function thresholdImpl(inputType: DataType, outputType: DataType, numThresholds: number): ThresholdImpl {
  const A = dtBits(inputType);
  return inputType.kind !== 'bipolar' && A <= TABLE_MAX_BITS && 2 ** A * dtBits(outputType) <= 2 * numThresholds * (A + 1) ? 'table' : 'compare';
}

/** The table implementation's ROM, one copy per lane: every (channel, input value) pair. */
function tableRom(p: ThresholdingParams): { depth: number; width: number } {
  return { depth: p.channels * 2 ** dtBits(p.inputType), width: dtBits(p.outputType) };
}

export const thresholding: HwLayer<'hw.Thresholding', ThresholdingParams> = {
  kind: 'hw.Thresholding',
  finnName: 'Thresholding',
  color: '#14b8a6',
  readFinn: (r) => ({
    channels: r.int('NumChannels'), pe: r.int('PE'), inputType: r.dtype('inputDataType'), outputType: r.dtype('outputDataType'),
    numThresholds: r.has('numSteps') ? r.int('numSteps') : (r.inputShape(1)?.[1] ?? r.fail('needs numSteps or a threshold tensor [channels, steps] as input 1')),
    actVal: r.int('ActVal', 0), numVectors: r.ints('numInputVectors', [1]), ramStyle: readRamStyle(r),
    impl: r.oneOf('thresh_impl', THRESHOLD_IMPLS, 'compare'),
  }),
  writeFinn: (p) => [
    fa.int('NumChannels', p.channels), fa.int('PE', p.pe), fa.int('numSteps', p.numThresholds),
    fa.dtype('inputDataType', p.inputType), fa.dtype('outputDataType', p.outputType),
    fa.int('ActVal', p.actVal), fa.ints('numInputVectors', p.numVectors), fa.str('ram_style', p.ramStyle),
    // finn-ts's own attribute, written only for the table implementation (FINN's graphs are compare-based)
    ...(p.impl === 'table' ? [fa.str('thresh_impl', p.impl)] : []),
  ],
  lower: { name: 'hw/to-thresholding', summary: 'standalone MultiThreshold → Thresholding', run: (g) => rewriteAll(g, toThresholding) },
  folding: (p) => [{ key: 'pe', values: divisors(p.channels) }],
  checkFolding: (p, node) => checkDivides(node, 'PE', p.pe, p.channels, `the ${p.channels} channels`),
  weightBits: () => 0,
  cycles: (p) => (p.channels / p.pe) * prod(p.numVectors),
  resources(p, part) {
    if (p.impl === 'table') {
      const t = tableRom(p), lutram = inLutram(p.ramStyle, t.depth);
      const LUT = Math.round((p.pe * (lutram ? t.width * Math.ceil(t.depth / 64) : 0) + 16) * lutScale(part));
      return { LUT, FF: 2 * p.pe * t.width + 32, BRAM_18K: lutram ? 0 : p.pe * bram18(t.depth, t.width), URAM: 0, DSP: 0 };
    }
    const A = dtBits(p.inputType);
    const depth = p.channels / p.pe;
    const width = p.pe * p.numThresholds * thresholdBits(p);
    const lutram = inLutram(p.ramStyle, depth);
    const LUT = Math.round((A * p.pe + (lutram ? width * Math.ceil(depth / 64) : 0)) * lutScale(part));
    return { LUT, FF: p.pe * (A + dtBits(p.outputType)) + 32, BRAM_18K: lutram ? 0 : bram18(depth, width), URAM: 0, DSP: 0 };
  },
  costFeatures(p, family): CostFeatures {
    if (p.impl === 'table') return tableFeatures(p, family);
    const A = dtBits(p.inputType), O = dtBits(p.outputType), P = p.pe, S = p.numThresholds, nf = p.channels / p.pe;
    const T = bitsFor(Math.min(-1, dtMin(p.inputType)), dtMax(p.inputType) + 1), CW = Math.max(A, T) + 1;
    const rom: CostMemory = { depth: nf, width: P * S * T, rom: true, style: p.ramStyle };
    // ROMs of one or two words fold into the compares (constants or a 2:1 choice)
    const logic = nf > 2 && !(family === 'xc7' ? xc7InBram(rom) : ice40InEbr(rom));
    const ctr = clog2(nf) + clog2(prod(p.numVectors));
    // one or two threshold words on a narrow input: each output bit is one LUT over the input bits and the threshold
    // register's distinct bits (constant 0/1 for one word; also the word select and its inverse for two words), and
    // one more LUT per output bit in the output register's skid mux
    if (nf <= 2 && A + 2 * nf <= (family === 'xc7' ? 6 : 4)) {
      return { LUT: { const: 1, fixed: 2 * P * O, ctr }, FF: { const: 1, in: P * A, out: 2 * P * O, ctr }, memories: [rom] };
    }
    // compares against constants (one or two words), against a tiny ROM folded into them (≤ 4 words), or a ROM's output
    const bits = P * S * CW, cls = nf <= 2 ? 'cmp_const' : nf <= 4 ? 'cmp_tiny' : 'cmp';
    // iCE40: a logic ROM within one LUT4's 16 words merges with the compares, deeper ones add mux trees (a coefficient
    // of their own); signed inputs compare at a higher cost. Neither split helps xc7 (cross-validated).
    const deep = family === 'ice40' && nf > 16;
    return {
      LUT: { const: 1, [cls]: bits, count: P * S, inc: P * incrementBits(S), [deep ? 'rom_deep' : 'rom']: logic ? romLogicLuts(nf, rom.width, family) : 0, out: P * O, ctr,
        ...(family === 'ice40' ? { cmp_signed: dtSigned(p.inputType) ? bits : 0 } : {}) },
      FF: { const: 1, in: P * A, out: 2 * P * O, tq: logic && nf > 4 ? rom.width : 0, ctr },
      memories: [rom],
    };
  },
  calibrationCore: 'thresholding',
  ice40(p) {
    if (p.impl === 'table') {
      const t = tableRom(p), rom = ice40Rom(t.depth, t.width, p.ramStyle);
      return { LUT: 20 + p.pe * rom.LUT, FF: 20 + 2 * p.pe * t.width, EBR: p.pe * rom.EBR };
    }
    // PE comparators per threshold, thresholds as a ROM (EBR or logic)
    const A = dtBits(p.inputType), O = dtBits(p.outputType);
    const rom = ice40Rom(p.channels / p.pe, p.pe * p.numThresholds * (A + 1), p.ramStyle);
    return { LUT: 20 + p.pe * p.numThresholds * (A + 1) + rom.LUT, FF: 20 + p.pe * (A + 2 * O), EBR: rom.EBR };
  },
  execute(p, [x, t]) {
    const c = p.channels;
    const out = new Float64Array(x!.data.length);
    for (let i = 0; i < out.length; i++) out[i] = activationValue(thresholdCount(x!.data[i]!, t!.data, i % c, p.numThresholds), p.actVal, p.outputType);
    return [{ shape: [...x!.shape], data: out }];
  },
  inputs: (p) => [port(p.inputType, p.pe, p.channels * prod(p.numVectors))],
  outputs: (p) => [port(p.outputType, p.pe, p.channels * prod(p.numVectors))],
  outTypes: (p) => [p.outputType],
  rtl(p, [t]) {
    if (p.impl === 'table') return tableRtl(p, t!.data);
    const s = p.numThresholds;
    const rows = Array.from({ length: p.channels }, (_, c) => Array.from(t!.data.subarray(c * s, (c + 1) * s)));
    const tbits = bitsFor(...minMax(rows.flat(), [Math.min(-1, dtMin(p.inputType)), dtMax(p.inputType) + 1]));
    const A = elemCode(p.inputType);
    return {
      core: 'finn_thresholding',
        params: [['C', p.channels], ['PE', p.pe], ['ABITS', A.bits], ['A_SIGNED', A.signed ? 1 : 0], ['NTHRESH', s], ['TBITS', tbits],
        ['OBITS', elemCode(p.outputType).bits], ['ACT_VAL', p.actVal], ['N_VECTORS', prod(p.numVectors)], ['RAM_STYLE', p.ramStyle]],
      memories: [{ param: 'THRESH_FILE', suffix: 'thresholds', width: p.pe * s * tbits, words: thresholdWords(rows, p.pe, tbits) }],
    };
  },
  describe: (p) => ({ detail: `${plural(p.numThresholds, 'threshold')} per channel, ${dtName(p.inputType)} → ${dtName(p.outputType)}${p.impl === 'table' ? `, as a table of ${2 ** dtBits(p.inputType)} results per channel` : ''}`, dims: `${p.channels} ch` }),
};

/** Result bits of the compare results' running count: the i-th increment needs clog2(i + 1) bits (1 for S = 1, 49 for 15). */
function incrementBits(s: number): number {
  let n = 0;
  for (let i = 1; i <= s; i++) n += clog2(i + 1);
  return n;
}

/** Cost features of the table implementation: its ROM copies (block RAM or logic), the output stage, the counter. */
function tableFeatures(p: ThresholdingParams, family: CostFamily): CostFeatures {
  const t = tableRom(p), O = t.width, P = p.pe;
  const rom: CostMemory = { depth: t.depth, width: O, rom: true, style: p.ramStyle };
  const logic = !(family === 'xc7' ? xc7InBram(rom) : ice40InEbr(rom));
  const ctr = clog2(p.channels / p.pe) + clog2(prod(p.numVectors));
  return {
    LUT: { const: 1, rom: logic ? P * romLogicLuts(t.depth, O, family) : 0, out: P * O, ctr },
    FF: { const: 1, out: 2 * P * O, tq: logic ? P * O : 0, ctr },
    memories: Array.from({ length: P }, () => rom),
  };
}

/** The table: entry c·2^A + x (x the input's bit pattern) = (#{t : value(x) ≥ T[c][t]} + ActVal) mod 2^O. */
function tableRtl(p: ThresholdingParams, t: Float64Array): LayerRtl {
  const A = elemCode(p.inputType), O = elemCode(p.outputType), n = 2 ** A.bits;
  const words: bigint[] = [];
  for (let c = 0; c < p.channels; c++) {
    for (let x = 0; x < n; x++) {
      const v = A.signed && x >= n / 2 ? x - n : x;
      const r = p.actVal + thresholdCount(v, t, c, p.numThresholds);
      words.push(BigInt(((r % 2 ** O.bits) + 2 ** O.bits) % 2 ** O.bits));
    }
  }
  return {
    core: 'finn_thresh_table',
    params: [['C', p.channels], ['PE', p.pe], ['ABITS', A.bits], ['OBITS', O.bits], ['RAM_STYLE', p.ramStyle]],
    memories: [{ param: 'TABLE_FILE', suffix: 'table', width: O.bits, words }],
  };
}

/** A MultiThreshold on an integer stream that no MVAU absorbed → Thresholding. */
function toThresholding(cur: Graph): Graph | undefined {
  const mt = cur.nodes.find((n) => n.op.kind === 'MultiThreshold' && cur.tensors.get(n.inputs[1]!)?.value);
  if (!mt) return undefined;
  const x = cur.tensors.get(mt.inputs[0]!)!;
  if (!isIntegral(x.dtype) || dtBits(x.dtype) > 32) {
    fail('E_TO_HW', `node ${mt.name}: MultiThreshold input "${x.name}" is ${x.dtype.kind}, not an integer stream`, 'give the model integer inputs (e.g. raw UINT8 pixels with pre-processing), or quantize before this node');
  }
  const axis = mtChannelAxis(cur, mt);
  const tab0 = cur.tensors.get(mt.inputs[1]!)!.value!;
  // per-tensor thresholds apply to every element: any axis can be the "channels"; use the last (the stream order)
  const perTensor = tab0.shape[0] === 1;
  if (!perTensor && axis !== x.shape.length - 1) fail('E_TO_HW', `node ${mt.name}: per-channel thresholding needs channels in the last axis (shape [${x.shape.join(',')}])`);
  const channels = x.shape.at(-1)!;
  const tab = thresholdTable(tab0, channels);
  if (!tab.data.every(Number.isInteger)) fail('E_TO_HW', `node ${mt.name}: thresholds are not integers after streamlining`);
  const act = hwActivation(mt);
  const p: ThresholdingParams = {
    channels, pe: 1, inputType: x.dtype, outputType: act.outType, numThresholds: tab.steps, actVal: act.actVal,
    numVectors: x.shape.slice(1, -1).length ? x.shape.slice(1, -1) : [1], ramStyle: 'auto',
    impl: thresholdImpl(x.dtype, act.outType, tab.steps),
  };
  const e = emitter(cur);
  const t = e.constant(`${mt.name}_thres`, { shape: [channels, tab.steps], data: tab.data }, smallestIntType(...minMax(tab.data, [0, 0])));
  e.node(mt.name, { kind: 'hw.Thresholding', p }, [mt.inputs[0]!, t], [...mt.outputs]);
  return replaceNodes(cur, [mt], e.nodes, e.tensors);
}
