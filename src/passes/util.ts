/** Small helpers shared by passes: constant inspection, per-channel extraction, node construction. */
import type { Graph, Node, TensorInfo } from '../ir/graph.ts';
import { FLOAT32, type DataType } from '../ir/datatype.ts';
import { broadcastTo, numel, type Tensor } from '../ir/tensor.ts';
import type { Op } from '../ir/ops.ts';
import { freshName, freshNodeName } from '../ir/builder.ts';

/** The constant operand of a binary node (index 1 or 0) and the other (dynamic) input. */
export function constOperand(g: Graph, n: Node): { c: Tensor; cIndex: number; x: string } | undefined {
  if (n.inputs.length !== 2) return undefined;
  const [a, b] = [g.tensors.get(n.inputs[0]!), g.tensors.get(n.inputs[1]!)];
  if (b?.value && !a?.value) return { c: b.value, cIndex: 1, x: n.inputs[0]! };
  if (a?.value && !b?.value) return { c: a.value, cIndex: 0, x: n.inputs[1]! };
  return undefined;
}

/** The constant broadcast to the data shape `shape` (full-shape constants commute with layout ops). */
export function fullShape(c: Tensor, shape: readonly number[]): Tensor {
  return c.data.length === numel(shape) && c.shape.length === shape.length ? c : broadcastTo(c, shape);
}

/**
 * Per-channel values of a constant broadcast to `shape` along channel axis `axis`,
 * or undefined when it varies along any other axis.
 */
export function perChannel(c: Tensor, shape: readonly number[], axis: number): Float64Array | undefined {
  const ch = shape[axis] ?? 1;
  if (c.data.length === 1) return Float64Array.from({ length: ch }, () => c.data[0]!);
  // a broadcastable constant of 1s except along the axis (e.g. [1, C, 1, 1], or [C] for the last axis) is per channel as it is
  const off = shape.length - c.shape.length;
  if (off >= 0 && c.data.length === ch && c.shape.every((d, i) => (i + off === axis ? d === ch : d === 1))) return Float64Array.from(c.data);
  const full = fullShape(c, shape).data;
  let inner = 1;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  const out = new Float64Array(ch);
  for (let k = 0; k < ch; k++) out[k] = full[k * inner]!;
  for (let base = 0; base < full.length; base += ch * inner) {
    for (let k = 0, i = base; k < ch; k++) {
      const v = out[k]!;
      for (let j = 0; j < inner; j++, i++) if (full[i] !== v) return undefined;
    }
  }
  return out;
}

/** The single value of a uniform constant, else undefined. */
export function uniformValue(c: Tensor): number | undefined {
  const v = c.data[0];
  return v !== undefined && c.data.every((d) => d === v) ? v : undefined;
}

/** Accumulates new nodes/tensors for one rewrite with fresh, unique names. */
export interface Emitter {
  readonly nodes: Node[];
  readonly tensors: TensorInfo[];
  constant(base: string, value: Tensor, dtype?: DataType): string;
  value(base: string, shape: readonly number[], dtype: DataType): string;
  node(base: string, op: Op, inputs: string[], outputs: string[]): Node;
}

export function emitter(g: Graph): Emitter {
  const takenT = new Set<string>(), takenN = new Set<string>();
  const nodes: Node[] = [], tensors: TensorInfo[] = [];
  return {
    nodes, tensors,
    constant(base, value, dtype = FLOAT32) {
      const name = freshName(g, base, takenT);
      tensors.push({ name, shape: value.shape, dtype, value });
      return name;
    },
    value(base, shape, dtype) {
      const name = freshName(g, base, takenT);
      tensors.push({ name, shape, dtype });
      return name;
    },
    node(base, op, inputs, outputs) {
      const n = { name: freshNodeName(g, base, takenN), op, inputs, outputs };
      nodes.push(n);
      return n;
    },
  };
}
