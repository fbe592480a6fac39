/**
 * How `finn exec` writes its output .npy: in the model's declared output datatype and shape, as FINN's files are
 * (a class index — TopK/ArgMax/LabelSelect or a top1/topk contract — as int64, a single index per frame as (N,);
 * other integer outputs as int64; everything else float32). `--output-dtype` overrides the dtype.
 */
import type { Graph } from '../ir/graph.ts';
import { isIntegral } from '../ir/datatype.ts';
import type { Tensor } from '../ir/tensor.ts';
import { contractOf } from './contract.ts';
import type { NpyDtype } from '../util/npy.ts';

export const OUTPUT_DTYPES: readonly NpyDtype[] = ['f4', 'f8', 'i1', 'u1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8'];

/** Whether the graph's output holds class indices. */
function indexOutput(g: Graph): boolean {
  const c = contractOf(g)?.output;
  if (c) return c.kind === 'top1' || c.kind === 'topk';
  const out = g.outputs[0];
  const n = g.nodes.find((x) => x.outputs.includes(out ?? ''));
  if (!n) return false;
  const kind = (n.op as { kind: string }).kind;
  return (kind === 'TopK' && n.outputs.indexOf(out!) === 1) || kind === 'ArgMax' || /LabelSelect/.test(kind) || (kind === 'TopK' && n.outputs.length === 1);
}

/** The dtype and shape to write `y` (the executor's output, frames first) with. */
export function outputFile(g: Graph, y: Tensor, forced?: NpyDtype): { tensor: Tensor; dtype: NpyDtype } {
  const out = g.tensors.get(g.outputs[0] ?? '');
  const index = indexOutput(g);
  const c = contractOf(g)?.output;
  // a build's contract decides (scores are dequantized floats, decisions 0/1); a model's own output tensor otherwise
  const integer = c ? c.kind !== 'scores' : index || (out !== undefined && isIntegral(out.dtype));
  // one index per frame: FINN's expected_output.npy is (N,)
  const shape = index && y.shape.length === 2 && y.shape[1] === 1 ? [y.shape[0]!] : y.shape;
  return { tensor: { ...y, shape }, dtype: forced ?? (integer ? 'i8' : 'f4') };
}
