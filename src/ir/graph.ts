/** The graph: nodes in topological order, tensors by name (shape, datatype, optional constant value). */
import type { DataType } from './datatype.ts';
import type { Op } from './ops.ts';
import type { Tensor } from './tensor.ts';

export interface TensorInfo {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: DataType;
  /** Present for initializers / folded constants. */
  readonly value?: Tensor;
  /** FINN's tensor_layout annotation, when known (e.g. ['N','C']). */
  readonly layout?: readonly string[];
}

export interface Node {
  readonly name: string;
  readonly op: Op;
  readonly inputs: readonly string[];   // '' marks an omitted optional input
  readonly outputs: readonly string[];
}

export interface Graph {
  readonly name: string;
  readonly nodes: readonly Node[];
  readonly tensors: ReadonlyMap<string, TensorInfo>;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Free-form provenance kept across passes (e.g. the producer), written as metadata_props. */
  readonly meta: Readonly<Record<string, string>>;
}

export function tensorInfo(g: Graph, name: string): TensorInfo {
  const t = g.tensors.get(name);
  if (!t) throw new Error(`internal: tensor "${name}" is not in graph "${g.name}"`);
  return t;
}

export function constValue(g: Graph, name: string): Tensor | undefined {
  return g.tensors.get(name)?.value;
}

/** Nodes that read `tensor`. */
export function consumers(g: Graph, tensor: string): Node[] {
  return g.nodes.filter((n) => n.inputs.includes(tensor));
}

/** The node that writes `tensor`, if any. */
export function producer(g: Graph, tensor: string): Node | undefined {
  return g.nodes.find((n) => n.outputs.includes(tensor));
}

/** The only consumer of the node's first output, if there is exactly one and it is not a graph output. */
export function singleConsumer(g: Graph, n: Node): Node | undefined {
  const out = n.outputs[0]!;
  if (g.outputs.includes(out)) return undefined;
  const cs = consumers(g, out);
  return cs.length === 1 ? cs[0] : undefined;
}
