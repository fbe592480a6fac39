/**
 * MultiThreshold(Relu(x), T) → MultiThreshold(x, T'): relu(x) ≥ t equals x ≥ t for t > 0 and holds always for t ≤ 0,
 * so thresholds t ≤ 0 become −∞ (Brevitas/QKeras export ReLU + unsigned quantizer as Relu → Quant).
 */
import type { Graph } from '../../ir/graph.ts';
import { replaceNodes, singleConsumer } from '../../ir/index.ts';
import { emitter } from '../util.ts';
import { rewriteAll, type Pass } from '../pass.ts';

function absorb(g: Graph): Graph | undefined {
  for (const relu of g.nodes) {
    if (relu.op.kind !== 'Relu') continue;
    const mt = singleConsumer(g, relu);
    const t = mt && mt.op.kind === 'MultiThreshold' && mt.inputs[0] === relu.outputs[0] ? g.tensors.get(mt.inputs[1]!)?.value : undefined;
    if (!mt || !t) continue;
    const e = emitter(g);
    const thr = e.constant(`${mt.name}_thres`, { shape: [...t.shape], data: t.data.map((v) => (v > 0 ? v : -Infinity)) });
    e.node(mt.name, mt.op, [relu.inputs[0]!, thr], [...mt.outputs]);
    return replaceNodes(g, [relu, mt], e.nodes, e.tensors);
  }
  return undefined;
}

export const absorbReluIntoThreshold: Pass = {
  name: 'streamline/absorb-relu-into-threshold',
  summary: 'MultiThreshold(Relu(x), T) → MultiThreshold(x, T with thresholds ≤ 0 at −∞)',
  run: (g) => rewriteAll(g, absorb),
};
