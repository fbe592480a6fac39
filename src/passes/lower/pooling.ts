/**
 * Average pooling in terms the hardware has: GlobalAveragePool (and ReduceMean over H, W) → GlobalSumPool + Mul(1/HW);
 * AveragePool k×k → a depthwise convolution with all-ones weights + Mul(1/k²) (it becomes a depthwise sliding
 * window + VVAU). The scales move into the next thresholds like any other.
 */
import type { Graph } from '../../ir/graph.ts';
import { replaceNodes } from '../../ir/index.ts';
import { fail } from '../../util/errors.ts';
import { smallestIntType } from '../../ir/datatype.ts';
import { emitter } from '../util.ts';
import { rewriteAll, type Pass } from '../pass.ts';

function globalAvg(g: Graph): Graph | undefined {
  const n = g.nodes.find((m) => m.op.kind === 'GlobalAveragePool');
  if (!n) return undefined;
  const x = g.tensors.get(n.inputs[0]!)!;
  if (x.shape.length !== 4) fail('E_UNSUPPORTED_OP', `node ${n.name}: GlobalAveragePool over a rank-${x.shape.length} tensor (NCHW expected)`);
  const [b, c, h, w] = x.shape as [number, number, number, number];
  const e = emitter(g);
  const sum = e.value(`${n.name}_sum`, [b, c, 1, 1], x.dtype);
  e.node(`${n.name}_sum`, { kind: 'GlobalSumPool', channelsLast: false }, [n.inputs[0]!], [sum]);
  e.node(`${n.name}_mean`, { kind: 'Mul' }, [sum, e.constant(`${n.name}_inv_hw`, { shape: [], data: Float64Array.of(1 / (h * w)) })], [...n.outputs]);
  return replaceNodes(g, [n], e.nodes, e.tensors);
}

function avgPool(g: Graph): Graph | undefined {
  const n = g.nodes.find((m) => m.op.kind === 'AveragePool');
  if (!n || n.op.kind !== 'AveragePool') return undefined;
  const x = g.tensors.get(n.inputs[0]!)!;
  const c = x.shape[1]!;
  const [kh, kw] = n.op.kernel;
  if (n.op.pads.some((p) => p !== 0) && !n.op.countIncludePad) fail('E_UNSUPPORTED_OP', `node ${n.name}: padded AveragePool with count_include_pad=0 divides border windows differently`, 'use count_include_pad=1 or no padding');
  const e = emitter(g);
  const y = g.tensors.get(n.outputs[0]!)!;
  const sum = e.value(`${n.name}_sum`, y.shape, x.dtype);
  const ones = e.constant(`${n.name}_ones`, { shape: [c, 1, kh, kw], data: new Float64Array(c * kh * kw).fill(1) }, smallestIntType(0, 1));
  e.node(`${n.name}_sum`, { kind: 'Conv', kernel: n.op.kernel, strides: n.op.strides, pads: n.op.pads, dilations: [1, 1], group: c }, [n.inputs[0]!, ones], [sum]);
  e.node(`${n.name}_mean`, { kind: 'Mul' }, [sum, e.constant(`${n.name}_inv_k`, { shape: [], data: Float64Array.of(1 / (kh * kw)) })], [...n.outputs]);
  return replaceNodes(g, [n], e.nodes, e.tensors);
}

export const globalAvgPoolToSum: Pass = { name: 'lower/global-avgpool-to-sum', summary: 'GlobalAveragePool → GlobalSumPool + Mul(1/HW)', run: (g) => rewriteAll(g, globalAvg) };
export const avgPoolToDepthwise: Pass = { name: 'lower/avgpool-to-depthwise', summary: 'AveragePool → depthwise Conv of ones + Mul(1/k²)', run: (g) => rewriteAll(g, avgPool) };
