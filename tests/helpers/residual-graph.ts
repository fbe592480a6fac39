/**
 * A small FINN-style hardware graph that uses every branching/depthwise layer: a residual block
 * DuplicateStreams → [FMPadding → depthwise sliding window → VVAU] ∥ skip → AddStreams, then a fork into max- and
 * average-pooling branches (depthwise windows + Pool) joined by StreamingConcat, and a GlobalAccPool.
 */
import { dtMax, int, uint, type DataType } from '../../src/ir/datatype.ts';
import type { Graph, Node, TensorInfo } from '../../src/ir/graph.ts';
import { makeGraph } from '../../src/ir/builder.ts';
import type { HwOp } from '../../src/hw/registry.ts';
import { addStreamsOutType } from '../../src/hw/addstreams.ts';
import { poolAccBits, poolShift } from '../../src/hw/pool.ts';
import { Rng } from '../rtl/cases.ts';

export function residualGraph(seed = 5): Graph {
  const r = new Rng(seed);
  const u4 = uint(4), u5 = addStreamsOutType([u4, u4]);
  const tensors: TensorInfo[] = [];
  const nodes: Node[] = [];
  const t = (name: string, shape: number[], dtype: DataType): string => { tensors.push({ name, shape, dtype }); return name; };
  const konst = (name: string, shape: number[], data: number[]): string => {
    tensors.push({ name, shape, dtype: { kind: 'float32' }, value: { shape, data: Float64Array.from(data) } });
    return name;
  };
  const node = (name: string, op: HwOp, inputs: string[], outputs: string[]): void => { nodes.push({ name, op, inputs, outputs }); };

  const x = t('x', [1, 6, 6, 4], u4);
  node('DuplicateStreams_0', { kind: 'hw.DuplicateStreams', p: { channels: 4, pe: 2, outputs: 2, dtype: u4, numVectors: [1, 6, 6] } },
    [x], [t('x_long', [1, 6, 6, 4], u4), t('x_skip', [1, 6, 6, 4], u4)]);
  node('FMPadding_0', { kind: 'hw.FMPadding', p: { ifm: [6, 6], pads: [1, 1, 1, 1], channels: 4, simd: 2, dtype: u4, value: 0 } }, ['x_long'], [t('x_pad', [1, 8, 8, 4], u4)]);
  node('ConvolutionInputGenerator_0', { kind: 'hw.ConvolutionInputGenerator', p: {
    ifm: [8, 8], ofm: [6, 6], channels: 4, kernel: [3, 3], stride: [1, 1], simd: 2, dtype: u4, ramStyle: 'auto', depthwise: true } },
  ['x_pad'], [t('x_win', [1, 6, 6, 36], u4)]);
  // depthwise 3×3 weights in INT3, 15 thresholds per channel → UINT4 (VVAU PE = the window's SIMD, SIMD 3)
  const w = Array.from({ length: 36 }, () => r.int(-4, 3));
  const thr = Array.from({ length: 4 }, () => Array.from({ length: 15 }, () => r.int(-60, 60)).sort((a, b) => a - b)).flat();
  node('VVAU_0', { kind: 'hw.VVAU', p: {
    channels: 4, kernel: [3, 3], dim: [6, 6], pe: 2, simd: 3, inputType: u4, weightType: int(3), accType: int(11), outputType: u4,
    binaryXnor: false, noActivation: false, numThresholds: 15, actVal: 0, ramStyle: 'auto', memMode: 'internal_decoupled', resType: 'auto' } },
  ['x_win', konst('VVAU_0_weights', [4, 1, 3, 3], w), konst('VVAU_0_thresholds', [4, 15], thr)], [t('x_dw', [1, 6, 6, 4], u4)]);
  node('AddStreams_0', { kind: 'hw.AddStreams', p: { channels: 4, pe: 4, inputTypes: [u4, u4], numVectors: [1, 6, 6] } }, ['x_dw', 'x_skip'], [t('x_sum', [1, 6, 6, 4], u5)]);
  node('DuplicateStreams_1', { kind: 'hw.DuplicateStreams', p: { channels: 4, pe: 4, outputs: 2, dtype: u5, numVectors: [1, 6, 6] } },
    ['x_sum'], [t('s_max', [1, 6, 6, 4], u5), t('s_avg', [1, 6, 6, 4], u5)]);
  const window = (name: string, src: string, simd: number, out: string): void => node(name, { kind: 'hw.ConvolutionInputGenerator', p: {
    ifm: [6, 6], ofm: [3, 3], channels: 4, kernel: [2, 2], stride: [2, 2], simd, dtype: u5, ramStyle: 'distributed', depthwise: true } }, [src], [t(out, [1, 3, 3, 16], u5)]);
  window('ConvolutionInputGenerator_1', 's_max', 4, 'w_max');
  node('Pool_0', { kind: 'hw.Pool', p: { channels: 4, pe: 4, kernel: [2, 2], func: 'MaxPool', outImg: [3, 3], inputType: u5, outputType: u5, accBits: poolAccBits(u5, 4), shift: 0 } },
    ['w_max'], [t('p_max', [1, 3, 3, 4], u5)]);
  window('ConvolutionInputGenerator_2', 's_avg', 2, 'w_avg');
  node('Pool_1', { kind: 'hw.Pool', p: { channels: 4, pe: 2, kernel: [2, 2], func: 'QuantAvgPool', outImg: [3, 3], inputType: u5, outputType: u5, accBits: poolAccBits(u5, 4), shift: poolShift(u5, u5, 4) } },
    ['w_avg'], [t('p_avg', [1, 3, 3, 4], u5)]);
  node('StreamingConcat_0', { kind: 'hw.StreamingConcat', p: { elemsPerStream: [4, 4], simd: 2, inputTypes: [u5, u5], numVectors: [1, 3, 3] } },
    ['p_max', 'p_avg'], [t('cat', [1, 3, 3, 8], u5)]);
  const sumType = uint(Math.ceil(Math.log2(9 * dtMax(u5) + 1)));
  node('GlobalAccPool_0', { kind: 'hw.GlobalAccPool', p: { channels: 8, pe: 2, inputType: u5, numVectors: [1, 3, 3] } }, ['cat'], [t('y', [1, 1, 1, 8], sumType)]);
  return makeGraph({ name: 'residual_layers', nodes, tensors, inputs: [x], outputs: ['y'], meta: {} });
}
