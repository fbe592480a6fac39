/** Typed operators of the IR: standard ONNX, QONNX/FINN custom ops, and hardware layers (kind `hw.*`). */
import type { DataType } from './datatype.ts';
import type { Tensor } from './tensor.ts';
import type { HwOp } from '../hw/registry.ts';

export type RoundingMode = 'ROUND' | 'ROUND_TO_ZERO' | 'CEIL' | 'FLOOR';

/** Standard ONNX operators finn-ts understands. */
export type OnnxOp =
  | { kind: 'MatMul' }
  | { kind: 'Gemm'; alpha: number; beta: number; transA: boolean; transB: boolean }
  | { kind: 'Add' } | { kind: 'Sub' } | { kind: 'Mul' } | { kind: 'Div' } | { kind: 'Pow' }
  | { kind: 'Sqrt' } | { kind: 'Neg' } | { kind: 'Identity' }
  | { kind: 'BatchNormalization'; epsilon: number }
  | { kind: 'Reshape' }
  | { kind: 'Flatten'; axis: number }
  | { kind: 'Transpose'; perm: readonly number[] | null }
  | { kind: 'Squeeze'; axes: readonly number[] | null }     // null: axes from input 1 or all 1-dims
  | { kind: 'Unsqueeze'; axes: readonly number[] | null }
  | { kind: 'Sign' } | { kind: 'Relu' } | { kind: 'Clip'; min: number | null; max: number | null }
  | { kind: 'Sigmoid' } | { kind: 'Softmax'; axis: number } | { kind: 'LogSoftmax'; axis: number }
  | { kind: 'TopK'; axis: number; largest: boolean; sorted: boolean }
  | { kind: 'ArgMax'; axis: number; keepdims: boolean; selectLastIndex: boolean }
  | { kind: 'Shape' }
  | { kind: 'Gather'; axis: number }
  | { kind: 'Concat'; axis: number }
  | { kind: 'Constant'; value: Tensor }
  /** NCHW convolution; pads = [top, left, bottom, right]. */
  | { kind: 'Conv'; kernel: readonly [number, number]; strides: readonly [number, number]; pads: readonly [number, number, number, number]; dilations: readonly [number, number]; group: number }
  | { kind: 'MaxPool'; kernel: readonly [number, number]; strides: readonly [number, number]; pads: readonly [number, number, number, number] }
  | { kind: 'Pad'; pads: readonly number[] | null; value: number }
  /** Averages over H and W of an NCHW tensor (ReduceMean over axes 2, 3 reads as this). */
  | { kind: 'GlobalAveragePool' }
  /** NCHW average pool; `countIncludePad` as ONNX's count_include_pad. */
  | { kind: 'AveragePool'; kernel: readonly [number, number]; strides: readonly [number, number]; pads: readonly [number, number, number, number]; countIncludePad: boolean };

/** QONNX / FINN custom operators (domains qonnx.custom_op.general, finn.custom_op.general, onnx.brevitas). */
export type QonnxOp =
  | { kind: 'Quant'; signed: boolean; narrow: boolean; rounding: RoundingMode }
  | { kind: 'BipolarQuant' }
  | { kind: 'Trunc'; rounding: RoundingMode }
  | {
      kind: 'MultiThreshold';
      outScale: number;
      outBias: number;
      outType: DataType;
      /** Which axis of the input holds channels (FINN: 1 for NCHW/NC, last for NHWC). */
      channelsLast: boolean;
      /**
       * Round-half-to-even ties (from a ROUND quantizer): threshold i leads to quantizer level evenTies + i, and an
       * input exactly at it reaches that level only when the level is even — so thresholds of odd levels are strict
       * (x > T). Absent: every threshold is x ≥ T. round-thresholds resolves it on integer inputs.
       */
      evenTies?: number;
    }
  | { kind: 'XnorPopcountMatMul' }
  /** NHWC sliding window: [N, H, W, C] → [N, OH, OW, kh·kw·C] in (kh, kw, C) order; pads = [top, left, bottom, right]. */
  | { kind: 'Im2Col'; kernel: readonly [number, number]; stride: readonly [number, number]; pads: readonly [number, number, number, number]; padValue: number }
  /** NHWC max-pool (kernel = stride in FINN's use). */
  | { kind: 'MaxPoolNHWC'; kernel: readonly [number, number]; strides: readonly [number, number] }
  /** Sum over the spatial axes per channel (the accumulator of a global average pool), keeping them as 1s. */
  | { kind: 'GlobalSumPool'; channelsLast: boolean };

export type Op = OnnxOp | QonnxOp | HwOp;
export type OpKind = Op['kind'];

export function isHwOp(op: Op): op is HwOp {
  return op.kind.startsWith('hw.');
}

/** Elementwise binary arithmetic ops. */
export const ELEMENTWISE_BINARY = new Set<OpKind>(['Add', 'Sub', 'Mul', 'Div', 'Pow']);
