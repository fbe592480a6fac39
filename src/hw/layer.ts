/**
 * The interface every hardware layer implements. A layer is one file in this folder (plus its Verilog core in
 * src/rtl/) and one line in registry.ts; everything else — ONNX read/write, lowering (the to-hw step), folding,
 * fit-to-part, estimates, the RTL backend, the report — asks the layer through the registry.
 */
import type { Tensor } from '../ir/tensor.ts';
import type { DataType } from '../ir/datatype.ts';
import type { FpgaPart } from '../cost/parts.ts';
import type { VParamValue } from '../verilog/model.ts';
import type { Pass } from '../passes/pass.ts';
import type { ChannelPadParams } from './channelpad.ts';
import type { CostFamily, CostFeatures } from '../cost/model.ts';
import { fail } from '../util/errors.ts';

/** How values of a stream element are encoded in hardware. */
/** Design-wide RTL choices the part makes (recorded in the graph metadata by the fold step, see `rtlOptionsOf`). */
export interface RtlOptions {
  /** A register after every this many levels of XNOR popcount trees (0: none). */
  readonly popcountPipe: number;
  /**
   * The part has no LUT RAM, so small memories are flip-flops behind read multiplexers (iCE40): shallow FIFOs give their
   * output word from a register (finn_fifo OREG) and the MVAU's input-vector buffer gets registered write selects.
   */
  readonly flopMemories: boolean;
}

/** What the cost features see: the RTL choices, and whether the part has DSP blocks for the tool to map products to. */
export interface CostRtlOptions extends RtlOptions {
  /** false: no DSP blocks (iCE40 HX), products are logic; default: the family's calibration flow maps them (DSP48, SB_MAC16). */
  readonly dspBlocks?: boolean;
}

/** No part-specific choices (what a graph without recorded options gets). */
export const DEFAULT_RTL_OPTIONS: RtlOptions = { popcountPipe: 0, flopMemories: false };

const PIPE_KEY = 'rtl_popcount_pipe';
const FLOP_KEY = 'rtl_flop_memories';

/** The graph with the part's RTL choices recorded (nothing recorded when they are the defaults). */
export function withRtlOptions<G extends { meta: Record<string, string> }>(g: G, o: RtlOptions): G {
  const meta = { ...g.meta };
  delete meta[PIPE_KEY];
  delete meta[FLOP_KEY];
  if (o.popcountPipe) meta[PIPE_KEY] = String(o.popcountPipe);
  if (o.flopMemories) meta[FLOP_KEY] = '1';
  return { ...g, meta };
}

/** The RTL choices recorded in a graph. */
export function rtlOptionsOf(g: { meta: Record<string, string> }): RtlOptions {
  const v = Number(g.meta[PIPE_KEY] ?? 0);
  return { popcountPipe: Number.isInteger(v) && v > 0 ? v : 0, flopMemories: g.meta[FLOP_KEY] === '1' };
}

export interface ElemCode {
  readonly bits: number;
  readonly signed: boolean;
  /** One bit per element, 1 = +1, 0 = −1. */
  readonly bipolar: boolean;
}

/** One AXI-Stream port of a layer: word width (unpadded), element encoding, elements per frame. */
export interface StreamPort {
  readonly width: number;
  readonly elem: ElemCode;
  readonly elems: number;
}

/** A memory image a core loads with $readmemh (the file name is relative to the rtl/ directory). */
export interface MemImage {
  readonly suffix: string;
  readonly width: number;
  readonly words: readonly bigint[];
}

/**
 * What a hardware layer contributes to the RTL: one instance of its core (module `core` in src/rtl/<core>.v; the
 * finn_* modules it instantiates are found by the backend), its parameters and memory images.
 */
export interface LayerRtl {
  readonly core: string;
  /** Core parameters; memory file parameters are given as the MemImage suffix and replaced by the file name. */
  readonly params: readonly (readonly [string, VParamValue])[];
  readonly memories: readonly (MemImage & { readonly param: string })[];
}

export interface Resources {
  LUT: number;
  FF: number;
  BRAM_18K: number;
  URAM: number;
  DSP: number;
}

/** iCE40 usage: 4-input LUTs, FFs and 4-kbit EBRs (a calibrated model for layers that have one). */
export interface Ice40Usage {
  LUT: number;
  FF: number;
  EBR: number;
}

/** Options of the cost models. */
export interface CostOptions {
  /** Resource model: 'calibrated' (fitted to Yosys, the default) or 'finn' (FINN's formulas; the hand-made iCE40 models). */
  readonly costModel?: 'calibrated' | 'finn';
  /** Model the MVAU input buffer as block RAM (a core with a registered-read vector buffer); default false. */
  readonly vectorBufferInRam?: boolean;
}

/** One folding knob: which parameter and the legal values, smallest first. */
export interface FoldKnob<P> {
  readonly key: keyof P & ('pe' | 'simd');
  readonly values: readonly number[];
}

/** An attribute written in FINN's form. */
export type FinnAttr =
  | { readonly name: string; readonly int: number }
  | { readonly name: string; readonly ints: readonly number[] }
  | { readonly name: string; readonly float: number }
  | { readonly name: string; readonly str: string }
  | { readonly name: string; readonly strs: readonly string[] };

/** Typed access to a FINN node's attributes (implemented in src/onnx/, where strings become types). */
export interface FinnAttrReader {
  int(name: string, def?: number): number;
  bool(name: string, def?: boolean): boolean;
  float(name: string, def?: number): number;
  string(name: string, def?: string): string;
  ints(name: string, def?: readonly number[]): readonly number[];
  dtype(name: string, def?: string): DataType;
  /** A list of datatype names (FINN's STRINGS attributes such as inputDataTypes). */
  dtypes(name: string, def?: readonly string[]): DataType[];
  has(name: string): boolean;
  /** A string attribute restricted to `allowed`. */
  oneOf<T extends string>(name: string, allowed: readonly T[], def: T): T;
  /** Shape of the node's input `index` (constant or declared), if known. */
  inputShape(index: number): readonly number[] | undefined;
  /** Fail with a message naming the file and node. */
  fail(msg: string, hint?: string): never;
}

/** A layer's parameters and constants (weights, thresholds). */
export interface LayerSlice<P> { readonly p: P; readonly consts: Tensor[] }

export interface HwLayer<K extends string, P> {
  readonly kind: K;
  /** FINN's op name: node names `<finnName>_<i>`, folding files, the written op_type. */
  readonly finnName: string;
  /** Other FINN op_types read as this layer (older names); `_hls`, `_rtl` and `_Batch` variants are accepted for all. */
  readonly finnAliases?: readonly string[];
  /** Colour of the layer in report.html. */
  readonly color: string;
  /** FINN attributes → typed parameters. */
  readFinn(r: FinnAttrReader): P;
  /** Typed parameters → FINN attributes. */
  writeFinn(p: P): FinnAttr[];
  /** The pattern in a streamlined graph that becomes this layer (run by the to-hw step in registry order). */
  readonly lower?: Pass;
  /** Folding knobs in the order SetFolding raises them. */
  folding(p: P): FoldKnob<P>[];
  /** Throws E_FOLDING when PE/SIMD are illegal for this layer. */
  checkFolding(p: P, node: string): void;
  /**
   * Folding the producer of input 0 must have (e.g. a VVAU needs its depthwise window's SIMD = its PE); applied only
   * where the producer has that knob (passes/fold/tie-folding.ts).
   */
  producerFolding?(p: P): Partial<Record<'pe' | 'simd', number>>;
  /**
   * Folding-file entries beyond PE/SIMD/ram_style in FINN's form, and reading them back (the sliding window's
   * parallel_window: FINN writes SIMD = channels plus parallel_window = 1).
   */
  readonly foldingFile?: { write(p: P): Record<string, number>; read(p: P, entry: Readonly<Record<string, unknown>>, node: string): P };
  /** Whether pad-for-folding may grow the layer to fit a PE/SIMD that does not divide it. */
  readonly paddable?: boolean;
  /**
   * Folding by padding the input (fold-to-fit's padded candidates, as the FINN paper pads LFC's 784 inputs to 832):
   * the knob, its values that do not divide the layer (the smallest value for each fold count they add), and the
   * layer's parameters once padded with the ChannelPad pad-for-folding puts in front of it.
   */
  readonly inputPadding?: {
    readonly key: string;
    values(p: P): number[];
    padded(p: P, v: number): { readonly layer: P; readonly pad: ChannelPadParams };
  };
  /**
   * The layer as independent layers over the same input (neuron groups) for synthesizing a layer too large for one
   * Yosys run (src/synth/synth.ts): `parts` of at most maxLanes/2 parallel lanes each, and `pair` = parts 0 and 1 as
   * one layer (at most maxLanes), from which the synthesis measures what every part repeats (control, input
   * registers). Undefined when the layer is small enough or cannot be split.
   */
  synthSlices?(p: P, consts: readonly Tensor[], maxLanes: number): { parts: LayerSlice<P>[]; pair?: LayerSlice<P> } | undefined;
  /** Bits of weight per SIMD lane the layer streams from memory (FINN's mvau_wwidth_max caps SIMD·this), 0 if none. */
  weightBits(p: P): number;
  /** Steady-state cycles per frame. */
  cycles(p: P): number;
  resources(p: P, part: FpgaPart): Resources;
  /** A model calibrated on synth_ice40 (fit-to-part uses it on iCE40 parts; others convert `resources`). */
  ice40?(p: P, o: CostOptions): Ice40Usage;
  /**
   * Features of the calibrated cost model (src/cost/model.ts): LUT/FF/DSP are linear in them with coefficients fitted
   * to Yosys (scripts/calibrate.ts); `calibrationCore` names the coefficient set. Layers without it use `resources`.
   * `o`: the part's RTL choices (the same ones `rtl` gets), e.g. pipeline registers.
   */
  costFeatures?(p: P, family: CostFamily, o?: CostRtlOptions): CostFeatures | undefined;
  readonly calibrationCore?: string;
  /** Bit-exact reference of the hardware; inputs are the node's inputs (streams, then constants). */
  execute(p: P, inputs: readonly Tensor[]): Tensor[];
  /** Stream ports: the node's first `inputs(p).length` inputs are streams, the rest constants. */
  inputs(p: P): StreamPort[];
  outputs(p: P): StreamPort[];
  /** Datatypes of the output tensors. */
  outTypes(p: P): DataType[];
  /** The core instance implementing the layer; `consts` are the node's constant inputs (weights, thresholds). */
  rtl(p: P, consts: readonly Tensor[], o?: RtlOptions): LayerRtl;
  /** What the layer computes and its size, for the report and `finn inspect`. */
  describe(p: P): { detail: string; dims: string };
}

/** Element encoding of a datatype. */
export function elemCode(t: DataType): ElemCode {
  if (t.kind === 'bipolar') return { bits: 1, signed: false, bipolar: true };
  if (t.kind === 'int') return { bits: t.bits, signed: t.signed, bipolar: false };
  if (t.kind === 'ternary') return { bits: 2, signed: true, bipolar: false };
  return fail('E_INTERNAL', 'float32 has no hardware stream encoding');
}

/** A stream port of `perWord` elements of datatype `t` per word, `elems` elements per frame. */
export function port(t: DataType, perWord: number, elems: number): StreamPort {
  const elem = elemCode(t);
  return { width: perWord * elem.bits, elem, elems };
}

/** Divisors of n in increasing order. */
/**
 * Values v of a knob over n elements that do not divide n, one per fold count ⌈n/v⌉ no divisor gives (the smallest
 * v for it): O(√n) values.
 */
export function paddedValues(n: number): number[] {
  const ds = new Set(divisors(n)), folds = new Set([...ds].map((d) => n / d)), out = new Set<number>();
  for (let k = 1; k <= n; k++) {
    const v = Math.ceil(n / k);
    if (Math.ceil(n / v) === k && !ds.has(v) && !folds.has(k)) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

export function divisors(n: number): number[] {
  const out: number[] = [];
  for (let d = 1; d <= n; d++) if (n % d === 0) out.push(d);
  return out;
}

export const ZERO_RESOURCES: Resources = { LUT: 0, FF: 0, BRAM_18K: 0, URAM: 0, DSP: 0 };
