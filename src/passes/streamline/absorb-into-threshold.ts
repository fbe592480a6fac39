/** MultiThreshold(x + a, T) → MultiThreshold(x, T − a);  MultiThreshold(x·b, T) → MultiThreshold(x, T / b) for b ≥ 0. */
import type { Graph, Node } from '../../ir/graph.ts';
import { replaceNodes, singleConsumer } from '../../ir/index.ts';
import { constOperand, emitter, perChannel } from '../util.ts';
import { rewriteAll, type Pass } from '../pass.ts';
import { mtChannelAxis, thresholdTable } from './thresholds.ts';

type Kind = 'Add' | 'Mul';

function match(g: Graph, kind: Kind): { aff: Node; mt: Node; ch: Float64Array } | undefined {
  for (const aff of g.nodes) {
    if (aff.op.kind !== kind) continue;
    const mt = singleConsumer(g, aff);
    const co = constOperand(g, aff);
    if (!mt || mt.op.kind !== 'MultiThreshold' || mt.inputs[0] !== aff.outputs[0] || !co || !g.tensors.get(mt.inputs[1]!)?.value) continue;
    const shape = g.tensors.get(aff.outputs[0]!)!.shape;
    const ch = perChannel(co.c, shape, mtChannelAxis(g, mt));
    if (!ch || (kind === 'Mul' && ch.some((v) => !(v >= 0)))) continue;
    return { aff, mt, ch };
  }
  return undefined;
}

function absorb(kind: Kind) {
  return (g: Graph): Graph | undefined => {
    const m = match(g, kind);
    if (!m) return undefined;
    const { aff, mt, ch } = m;
    const { data, steps } = thresholdTable(g.tensors.get(mt.inputs[1]!)!.value!, ch.length);
    for (let c = 0; c < ch.length; c++) {
      for (let s = 0; s < steps; s++) {
        const i = c * steps + s, t = data[i]!, v = ch[c]!;
        if (kind === 'Add') data[i] = t - v;
        else data[i] = v > 0 ? t / v : 0 >= t ? -Infinity : Infinity; // x·0 ≥ t is constant
      }
    }
    const e = emitter(g);
    const t = e.constant(`${mt.name}_thres`, { shape: [ch.length, steps], data });
    e.node(mt.name, mt.op, [constOperand(g, aff)!.x, t], [...mt.outputs]);
    return replaceNodes(g, [aff, mt], e.nodes, e.tensors);
  };
}

export const absorbAddIntoThreshold: Pass = {
  name: 'streamline/absorb-add-into-threshold',
  summary: 'MultiThreshold(x + a, T) → MultiThreshold(x, T − a)',
  run: (g) => rewriteAll(g, absorb('Add')),
};

export const absorbMulIntoThreshold: Pass = {
  name: 'streamline/absorb-mul-into-threshold',
  summary: 'MultiThreshold(x·b, T) → MultiThreshold(x, T/b) for non-negative per-channel b',
  run: (g) => rewriteAll(g, absorb('Mul')),
};
