/** Replace nodes whose inputs are all constant (and Shape of a known shape) by constant tensors. */
import type { Graph, Node, TensorInfo } from '../../ir/graph.ts';
import { FLOAT32, int, isIntegral, type DataType } from '../../ir/datatype.ts';
import { allInteger, type Tensor } from '../../ir/tensor.ts';
import { runNode } from '../../exec/run.ts';
import { withNodes } from '../../ir/builder.ts';
import type { Pass } from '../pass.ts';

/** Ops that carry quantization meaning and are converted, not folded. */
const KEEP = new Set(['Quant', 'BipolarQuant', 'Trunc', 'MultiThreshold']);
const LAYOUT = new Set(['Reshape', 'Flatten', 'Transpose', 'Squeeze', 'Unsqueeze', 'Identity', 'Gather', 'Concat']);

function foldedType(g: Graph, n: Node, v: Tensor): DataType {
  const first = g.tensors.get(n.inputs[0]!);
  if (LAYOUT.has(n.op.kind) && first && isIntegral(first.dtype)) return first.dtype;
  if (n.op.kind === 'Shape') return int(64);
  return allInteger(v) && n.inputs.every((x) => !x || isIntegral(g.tensors.get(x)!.dtype)) ? int(64) : FLOAT32;
}

function foldable(g: Graph, n: Node): boolean {
  if (KEEP.has(n.op.kind) || n.op.kind.startsWith('hw.')) return false;
  if (n.op.kind === 'Shape') return g.tensors.get(n.inputs[0]!)!.shape.length > 0 || !!g.tensors.get(n.inputs[0]!)!.value;
  return n.inputs.every((x) => x === '' || !!g.tensors.get(x)?.value);
}

export const foldConstants: Pass = {
  name: 'tidy/fold-constants',
  summary: 'evaluate nodes with only constant inputs',
  run(g: Graph): Graph {
    const folded: TensorInfo[] = [];
    const keep: Node[] = [];
    for (const n of g.nodes) {
      if (!foldable(g, n) || n.outputs.some((o) => g.outputs.includes(o))) { keep.push(n); continue; }
      const ins = n.op.kind === 'Shape'
        ? [{ shape: g.tensors.get(n.inputs[0]!)!.shape, data: new Float64Array(0) } as Tensor]
        : n.inputs.map((x) => g.tensors.get(x)?.value as Tensor);
      const outs = n.op.kind === 'Shape' ? [{ shape: [ins[0]!.shape.length], data: Float64Array.from(ins[0]!.shape) }] : runNode(n, ins);
      n.outputs.forEach((o, i) => {
        const v = outs[i]!;
        folded.push({ ...g.tensors.get(o)!, shape: v.shape, value: v, dtype: foldedType(g, n, v) });
      });
    }
    if (folded.length === 0) return g;
    // a folded tensor is now a constant: writers are gone, so rebuild with the new infos
    return withNodes(g, keep, folded);
  },
};
