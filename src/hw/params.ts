/** Parameters of the hardware layers (the typed attributes of `hw.*` ops). Behaviour lives in one file per layer. */
import type { DataType } from '../ir/datatype.ts';

export type RamStyle = 'auto' | 'block' | 'distributed' | 'ultra';

/**
 * Matrix-Vector-Activation Unit. Node inputs: [x, W, T?] where W is the constant weight matrix [MW, MH]
 * (x · W, as in ONNX MatMul) and T the constant thresholds [MH, numThresholds] (absent when noActivation).
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

/** Standalone multi-threshold activation on a stream. Node inputs: [x, T] with T [C, numThresholds]. */
export interface ThresholdingParams {
  readonly channels: number;
  readonly pe: number;
  readonly inputType: DataType;
  readonly outputType: DataType;
  readonly numThresholds: number;
  readonly actVal: number;
  readonly numVectors: readonly number[];
  readonly ramStyle: RamStyle;
}

/** Top-k (k = 1) over `labels` values; outputs the index, lowest index wins ties. Node inputs: [x]. */
export interface LabelSelectParams {
  readonly labels: number;
  /** Only the first `validLabels` values compete (the rest pad `labels` up to a multiple of PE). */
  readonly validLabels: number;
  readonly pe: number;
  readonly k: number;
  readonly inputType: DataType;
  readonly outputType: DataType;
}

/** Appends `outElems − inElems` constant elements to every vector of `inElems` (e.g. to pad an MVAU's input width). */
export interface ChannelPadParams {
  readonly inElems: number;
  readonly outElems: number;
  /** Elements per stream word (must divide both sizes). */
  readonly simd: number;
  readonly dtype: DataType;
  readonly value: number;
  readonly numVectors: readonly number[];
}

/** Sliding window (im2col in streaming form): NHWC pixels in, for each output pixel the kh·kw·C window in (kh, kw, C) order. */
export interface SwgParams {
  readonly ifm: readonly [number, number];
  readonly ofm: readonly [number, number];
  readonly channels: number;
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  /** Channels per stream word (divides channels). */
  readonly simd: number;
  readonly dtype: DataType;
  readonly ramStyle: RamStyle;
}

/** Zero (constant) padding around an NHWC feature map; pads = [top, left, bottom, right]. */
export interface FmPaddingParams {
  readonly ifm: readonly [number, number];
  readonly pads: readonly [number, number, number, number];
  readonly channels: number;
  readonly simd: number;
  readonly dtype: DataType;
  readonly value: number;
}

/** Max-pool with kernel = stride over an NHWC feature map (binary: OR). */
export interface MaxPoolParams {
  readonly ifm: readonly [number, number];
  readonly kernel: readonly [number, number];
  readonly channels: number;
  readonly pe: number;
  readonly dtype: DataType;
}

export type HwOp =
  | { readonly kind: 'hw.MVAU'; readonly p: MvauParams }
  | { readonly kind: 'hw.Thresholding'; readonly p: ThresholdingParams }
  | { readonly kind: 'hw.LabelSelect'; readonly p: LabelSelectParams }
  | { readonly kind: 'hw.ChannelPad'; readonly p: ChannelPadParams }
  | { readonly kind: 'hw.ConvolutionInputGenerator'; readonly p: SwgParams }
  | { readonly kind: 'hw.FMPadding'; readonly p: FmPaddingParams }
  | { readonly kind: 'hw.StreamingMaxPool'; readonly p: MaxPoolParams };

export type HwKind = HwOp['kind'];
export type ParamsOf<K extends HwKind> = Extract<HwOp, { kind: K }>['p'];
