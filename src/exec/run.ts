/** The reference executor: runs a graph node by node on float64 tensors (exact for integers, bit-exact XNOR). */
import type { Graph, Node } from '../ir/graph.ts';
import { isHwOp, type Op } from '../ir/ops.ts';
import { numel, reshape, type Tensor } from '../ir/tensor.ts';
import { FinnError, fail } from '../util/errors.ts';
import { withLayer } from '../hw/registry.ts';
import { arithKernels } from './arith.ts';
import { linalgKernels } from './linalg.ts';
import { quantKernels } from './quant.ts';
import { shapeKernels } from './shape.ts';
import { convKernels } from './conv.ts';

type Kernel = (op: Op, ins: readonly Tensor[]) => Tensor[];

const KERNELS: Readonly<Record<string, Kernel>> = {
  ...arithKernels, ...linalgKernels, ...quantKernels, ...shapeKernels, ...convKernels,
  Constant: (op) => (op.kind === 'Constant' ? [op.value] : fail('E_INTERNAL', 'Constant kernel on wrong op')),
};

/** Op kinds the executor can run (besides hw.* layers). */
export const SUPPORTED_OPS: readonly string[] = Object.keys(KERNELS).sort();

/** Run one node on its input tensors. */
export function runNode(n: Node, ins: readonly Tensor[]): Tensor[] {
  try {
    if (isHwOp(n.op)) return withLayer(n.op, (layer, p) => layer.execute(p, ins));
    const k = KERNELS[n.op.kind];
    if (!k) fail('E_UNSUPPORTED_OP', `node ${n.name}: the executor has no kernel for op ${n.op.kind}`);
    return k(n.op, ins);
  } catch (e) {
    if (e instanceof FinnError) {
      if (e.message.includes(n.name)) throw e;
      throw new FinnError(e.code, `node ${n.name} (${n.op.kind}): ${e.message}`, e.hint);
    }
    throw new FinnError('E_EXEC', `node ${n.name} (${n.op.kind}) failed: ${(e as Error).message}`);
  }
}

export interface ExecOptions {
  /** Keep every intermediate tensor in the result (default: only graph outputs). */
  readonly keepAll?: boolean;
}

export type CompiledGraph = (feeds: Readonly<Record<string, Tensor>>, opts?: ExecOptions) => Map<string, Tensor>;

/**
 * Prepare a graph for repeated execution: nodes that depend only on constants (weight quantizers, shape
 * arithmetic on static shapes) are evaluated once here instead of on every call.
 */
export function compileGraph(g: Graph): CompiledGraph {
  const consts = new Map<string, Tensor>();
  for (const [name, t] of g.tensors) if (t.value) consts.set(name, t.value);
  const dynamic: Node[] = [];
  for (const n of g.nodes) {
    const staticShape = n.op.kind === 'Shape' && (g.tensors.get(n.inputs[0]!)?.shape.length ?? 0) > 0;
    if (staticShape) { consts.set(n.outputs[0]!, { shape: [g.tensors.get(n.inputs[0]!)!.shape.length], data: Float64Array.from(g.tensors.get(n.inputs[0]!)!.shape) }); continue; }
    if (n.inputs.every((x) => x === '' || consts.has(x)) && !n.outputs.some((o) => g.outputs.includes(o))) {
      runNode(n, n.inputs.map((x) => consts.get(x)!)).forEach((t, j) => consts.set(n.outputs[j]!, t));
    } else dynamic.push(n);
  }
  const lastUse = new Map<string, number>();
  dynamic.forEach((n, i) => n.inputs.forEach((x) => lastUse.set(x, i)));
  return (feeds, opts = {}) => {
    const env = new Map<string, Tensor>(consts);
    for (const name of g.inputs) {
      const t = feeds[name];
      if (!t) fail('E_EXEC', `graph input "${name}" was not given`);
      const shape = g.tensors.get(name)!.shape;
      env.set(name, shape.length > 0 && numel(shape) === t.data.length ? reshape(t, shape) : t);
    }
    dynamic.forEach((n, i) => {
      const ins = n.inputs.map((x) => (x === '' ? undefined : env.get(x)));
      const missing = n.inputs.findIndex((x, j) => x !== '' && !ins[j]);
      if (missing >= 0) fail('E_EXEC', `node ${n.name}: input "${n.inputs[missing]}" has no value`);
      const outs = runNode(n, ins as Tensor[]);
      n.outputs.forEach((o, j) => { if (o && outs[j]) env.set(o, outs[j]!); });
      if (!opts.keepAll) for (const x of n.inputs) if (lastUse.get(x) === i && !g.outputs.includes(x) && !consts.has(x)) env.delete(x);
    });
    if (opts.keepAll) return env;
    return new Map(g.outputs.map((o) => [o, env.get(o)!]));
  };
}

/** Execute the graph on named inputs; inputs are reshaped to the declared shape when element counts match. */
export function execute(g: Graph, feeds: Readonly<Record<string, Tensor>>, opts: ExecOptions = {}): Map<string, Tensor> {
  return compileGraph(g)(feeds, opts);
}

/** Execute a single-input, single-output graph on one tensor. */
export function executeSimple(g: Graph, x: Tensor): Tensor {
  const out = execute(g, { [g.inputs[0]!]: x });
  return out.get(g.outputs[0]!)!;
}
