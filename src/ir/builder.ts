/** Pure graph-editing helpers used by passes: every function returns a new Graph. */
import type { Graph, Node, TensorInfo } from './graph.ts';
import { FinnError } from '../util/errors.ts';

/** Sort nodes topologically (stable: keeps the given order where dependencies allow). */
export function topoSort(g: Pick<Graph, 'nodes' | 'tensors' | 'inputs' | 'name'>): Node[] {
  // Kahn's algorithm, always taking the ready node that comes first in the given order (a min-heap of indices):
  // the same order as repeatedly scanning for the first ready node, in O(n log n) for graphs of 10^5 nodes
  const ready = new Set<string>(g.inputs);
  for (const [name, t] of g.tensors) if (t.value) ready.add(name);
  ready.add('');
  const waiting = g.nodes.map((n) => new Set(n.inputs.filter((x) => !ready.has(x))).size);
  const readers = new Map<string, number[]>();
  g.nodes.forEach((n, i) => {
    for (const x of new Set(n.inputs)) {
      if (ready.has(x)) continue;
      const list = readers.get(x);
      if (list) list.push(i); else readers.set(x, [i]);
    }
  });
  const heap = new IndexHeap();
  waiting.forEach((w, i) => { if (w === 0) heap.push(i); });
  const out: Node[] = [];
  while (heap.size > 0) {
    const n = g.nodes[heap.pop()]!;
    out.push(n);
    for (const o of n.outputs) {
      if (ready.has(o)) continue;
      ready.add(o);
      for (const r of readers.get(o) ?? []) if (--waiting[r]! === 0) heap.push(r);
    }
  }
  if (out.length < g.nodes.length) {
    const placed = new Set(out);
    const n = g.nodes.find((m) => !placed.has(m))!;
    const missing = n.inputs.filter((x) => !ready.has(x));
    throw new FinnError('E_GRAPH', `graph "${g.name}": node ${n.name} (${n.op.kind}) reads ${missing.map((m) => `"${m}"`).join(', ')}, which no node, input or initializer provides (or the graph has a cycle)`, 'the model is malformed; re-export it');
  }
  return out;
}

/** A binary min-heap of integers. */
class IndexHeap {
  private readonly a: number[] = [];
  get size(): number { return this.a.length; }
  push(v: number): void {
    const a = this.a;
    a.push(v);
    for (let i = a.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (a[p]! <= a[i]!) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }
  pop(): number {
    const a = this.a;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length === 0) return top;
    a[0] = last;
    for (let i = 0; ;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < a.length && a[l]! < a[m]!) m = l;
      if (r < a.length && a[r]! < a[m]!) m = r;
      if (m === i) break;
      [a[m], a[i]] = [a[i]!, a[m]!];
      i = m;
    }
    return top;
  }
}

/** Build a graph from parts: sorts nodes and drops tensors nothing uses. */
export function makeGraph(parts: {
  name: string; nodes: readonly Node[]; tensors: ReadonlyMap<string, TensorInfo> | TensorInfo[];
  inputs: readonly string[]; outputs: readonly string[]; meta?: Readonly<Record<string, string>>;
}): Graph {
  const all = parts.tensors instanceof Map ? parts.tensors : new Map((parts.tensors as TensorInfo[]).map((t) => [t.name, t]));
  const used = new Set<string>([...parts.inputs, ...parts.outputs]);
  for (const n of parts.nodes) for (const t of [...n.inputs, ...n.outputs]) if (t) used.add(t);
  const tensors = new Map<string, TensorInfo>();
  for (const [k, v] of all) if (used.has(k)) tensors.set(k, v);
  const g0 = { name: parts.name, nodes: parts.nodes, tensors, inputs: parts.inputs, outputs: parts.outputs };
  return { ...g0, nodes: topoSort(g0), meta: parts.meta ?? {} };
}

/** Replace the graph's nodes (and add/overwrite tensor infos); node order is re-derived. */
export function withNodes(g: Graph, nodes: readonly Node[], tensors: readonly TensorInfo[] = []): Graph {
  const map = new Map(g.tensors);
  for (const t of tensors) map.set(t.name, t);
  return makeGraph({ ...g, nodes, tensors: map });
}

/** Replace `old` nodes by `added` nodes, adding tensor infos. */
export function replaceNodes(g: Graph, old: readonly Node[], added: readonly Node[], tensors: readonly TensorInfo[] = []): Graph {
  const drop = new Set(old);
  const nodes: Node[] = [];
  let placed = false;
  for (const n of g.nodes) {
    if (drop.has(n)) {
      if (!placed) { nodes.push(...added); placed = true; }
    } else nodes.push(n);
  }
  if (!placed) nodes.push(...added);
  return withNodes(g, nodes, tensors);
}

/** Make every reader of tensor `from` read `to` instead (graph outputs included). */
export function renameUses(g: Graph, from: string, to: string): Graph {
  const nodes = g.nodes.map((n) => (n.inputs.includes(from) ? { ...n, inputs: n.inputs.map((x) => (x === from ? to : x)) } : n));
  const outputs = g.outputs.map((x) => (x === from ? to : x));
  return makeGraph({ ...g, nodes, tensors: g.tensors, outputs });
}

/** Remove a node whose output equals its first input in value (Identity-like), rewiring readers. */
export function bypassNode(g: Graph, n: Node): Graph {
  const input = n.inputs[0]!;
  const output = n.outputs[0]!;
  if (g.outputs.includes(output)) {
    // keep the graph output's name stable: the producer of `input` writes `output` instead
    const prod = g.nodes.find((m) => m.outputs.includes(input));
    const otherReaders = g.nodes.some((m) => m !== n && m.inputs.includes(input));
    if (prod && !otherReaders && !g.inputs.includes(input)) {
      const nodes = g.nodes.filter((m) => m !== n).map((m) => (m === prod ? { ...m, outputs: m.outputs.map((o) => (o === input ? output : o)) } : m));
      const tensors = new Map(g.tensors);
      const info = g.tensors.get(output)!;
      tensors.set(output, { ...g.tensors.get(input)!, name: output, layout: info.layout });
      return makeGraph({ ...g, nodes, tensors });
    }
  }
  const without = { ...g, nodes: g.nodes.filter((m) => m !== n) };
  return renameUses(without, output, input);
}

/** A tensor name not yet used in the graph, derived from `base`. */
export function freshName(g: Graph, base: string, taken: Set<string> = new Set()): string {
  if (!g.tensors.has(base) && !taken.has(base)) { taken.add(base); return base; }
  for (let i = 0; ; i++) {
    const c = `${base}_${i}`;
    if (!g.tensors.has(c) && !taken.has(c)) { taken.add(c); return c; }
  }
}

/** A node name not yet used in the graph. */
export function freshNodeName(g: Graph, base: string, taken: Set<string> = new Set()): string {
  const names = new Set(g.nodes.map((n) => n.name));
  if (!names.has(base) && !taken.has(base)) { taken.add(base); return base; }
  for (let i = 0; ; i++) {
    const c = `${base}_${i}`;
    if (!names.has(c) && !taken.has(c)) { taken.add(c); return c; }
  }
}
