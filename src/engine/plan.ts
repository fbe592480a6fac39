/**
 * The engine's compiler: a finn-ts Graph → an execution plan (a list of steps over a shared arena). Each dynamic node
 * is lowered by its op's lowering (lower/*.ts) when one applies, otherwise it runs through the reference executor's
 * own kernel frame by frame (`runNode`), so every graph the reference can run, the engine can run.
 */
import type { Graph, Node } from '../ir/graph.ts';
import { numel, type Tensor } from '../ir/tensor.ts';
import { runNode } from '../exec/run.ts';
import { fail } from '../util/errors.ts';
import type { Kernels, Views } from './kernels.ts';
import { FLOAT, wordsFor, type Buf, type Domain, type Region, type Storage, type Val } from './values.ts';
import { convert } from './convert.ts';

export interface RunMem extends Views {
  readonly k: Kernels;
}

/** One step: runs a node (or a conversion) on `b` frames laid out contiguously in each region. */
export interface Step {
  readonly label: string;
  readonly run: (m: RunMem, b: number) => void;
}

/** A lowering runs a node with engine kernels; returns false when it does not apply (the node then falls back). */
export type Lowering = (pl: Planner, n: Node) => boolean;

export interface ConstWrite {
  readonly region: Region;
  readonly data: Float64Array | Int32Array | Uint32Array | Int16Array;
}

export interface PlanIO {
  readonly name: string;
  readonly shape: readonly number[];
  readonly numel: number;
  readonly buf: Buf;
}

export interface Plan {
  readonly inputs: readonly PlanIO[];
  readonly outputs: readonly PlanIO[];
  readonly steps: readonly Step[];
  readonly regions: readonly Region[];
  readonly writes: readonly ConstWrite[];
  /** Node names with an engine kernel, and the ops that ran through the reference kernel. */
  readonly fast: readonly string[];
  readonly fallback: readonly { readonly node: string; readonly op: string }[];
}

/** Constants as the reference executor sees them: initializers plus nodes that depend only on constants. */
export function foldConstants(g: Graph): { consts: Map<string, Tensor>; dynamic: Node[] } {
  const consts = new Map<string, Tensor>();
  for (const [name, t] of g.tensors) if (t.value) consts.set(name, t.value);
  const dynamic: Node[] = [];
  for (const n of g.nodes) {
    const inShape = g.tensors.get(n.inputs[0] ?? '')?.shape ?? [];
    if (n.op.kind === 'Shape' && inShape.length > 0) { consts.set(n.outputs[0]!, { shape: [inShape.length], data: Float64Array.from(inShape) }); continue; }
    if (n.inputs.every((x) => x === '' || consts.has(x)) && !n.outputs.some((o) => g.outputs.includes(o))) {
      runNode(n, n.inputs.map((x) => consts.get(x)!)).forEach((t, j) => consts.set(n.outputs[j]!, t));
    } else dynamic.push(n);
  }
  return { consts, dynamic };
}

/** Per-frame shapes of every dynamic tensor, from one reference run on a zero frame. */
function traceShapes(g: Graph, consts: Map<string, Tensor>, dynamic: readonly Node[]): Map<string, readonly number[]> {
  const env = new Map<string, Tensor>(consts);
  for (const name of g.inputs) {
    const shape = g.tensors.get(name)!.shape;
    if (shape.length === 0 || shape.some((d) => !(d > 0))) fail('E_ENGINE', `graph input "${name}" has no static shape`, 'run the model through finn build (tidy infers shapes) or give the input a fixed shape');
    env.set(name, { shape, data: new Float64Array(numel(shape)) });
  }
  for (const n of dynamic) runNode(n, n.inputs.map((x) => env.get(x)!)).forEach((t, j) => { if (n.outputs[j]) env.set(n.outputs[j]!, t); });
  const shapes = new Map<string, readonly number[]>();
  for (const [k, t] of env) if (!consts.has(k)) shapes.set(k, t.shape);
  return shapes;
}

export class Planner {
  readonly consts: Map<string, Tensor>;
  private readonly dynamic: Node[];
  private readonly shapes: Map<string, readonly number[]>;
  private readonly vals = new Map<string, Val>();
  readonly steps: Step[] = [];
  readonly regions: Region[] = [];
  readonly writes: ConstWrite[] = [];

  constructor(readonly g: Graph) {
    ({ consts: this.consts, dynamic: this.dynamic } = foldConstants(g));
    this.shapes = traceShapes(g, this.consts, this.dynamic);
  }

  /** Lower every dynamic node; nodes without an applicable lowering run the reference kernel frame by frame. */
  build(lowerings: Readonly<Record<string, Lowering>>): Plan {
    const inputs = this.g.inputs.map((name) => {
      const shape = this.shape(name);
      const buf = this.frameBuf('f64', numel(shape));
      this.define(name, this.annotatedDomain(name), buf);
      return { name, shape, numel: numel(shape), buf };
    });
    const fast: string[] = [], fallback: { node: string; op: string }[] = [];
    for (const n of this.dynamic) {
      const lower = lowerings[n.op.kind];
      if (lower && lower(this, n)) fast.push(n.name);
      else { this.fallbackNode(n); fallback.push({ node: n.name, op: n.op.kind }); }
    }
    const outputs = this.g.outputs.map((name) => {
      const shape = this.consts.has(name) ? this.consts.get(name)!.shape : this.shape(name);
      const buf = this.consts.has(name) ? this.constOutput(name) : this.need(name, 'f64');
      return { name, shape, numel: numel(shape), buf };
    });
    return { inputs, outputs, steps: this.steps, regions: this.regions, writes: this.writes, fast, fallback };
  }

  shape(name: string): readonly number[] {
    const s = this.shapes.get(name);
    if (!s) fail('E_INTERNAL', `engine: tensor "${name}" has no traced shape`);
    return s;
  }

  /** Give an internal tensor (e.g. a fused layer's accumulators) a per-frame shape. */
  declare(name: string, shape: readonly number[]): string {
    this.shapes.set(name, shape);
    return name;
  }

  isConst(name: string): boolean {
    return this.consts.has(name);
  }

  val(name: string): Val {
    const v = this.vals.get(name);
    if (!v) fail('E_INTERNAL', `engine: tensor "${name}" was not planned`);
    return v;
  }

  /** A per-frame buffer: f64/i32 of `elems` values, or bits of rows × nseg segments of segLen. */
  frameBuf(st: Storage, elems: number, bits?: { rows: number; nseg: number; segLen: number }): Buf {
    const wps = bits ? wordsFor(bits.segLen) : 0;
    const bytes = st === 'bits' ? bits!.rows * bits!.nseg * wps * 4 : elems * (st === 'f64' ? 8 : 4);
    const region: Region = { off: -1, bytes, perFrame: true };
    this.regions.push(region);
    return { st, region, rows: bits?.rows ?? 0, nseg: bits?.nseg ?? 1, segLen: bits?.segLen ?? 0, wps };
  }

  /** A constant region holding `data` (weights, thresholds). */
  constRegion(data: ConstWrite['data']): Region {
    const region: Region = { off: -1, bytes: data.byteLength, perFrame: false };
    this.regions.push(region);
    this.writes.push({ region, data });
    return region;
  }

  /** Bits layout of a tensor packed along its last axis. */
  bitsLayout(name: string): { rows: number; nseg: number; segLen: number } {
    const shape = this.shape(name);
    const last = shape.length ? shape[shape.length - 1]! : 1;
    return { rows: numel(shape) / last, nseg: 1, segLen: last };
  }

  define(name: string, dom: Domain, buf: Buf): Val {
    const shape = this.shape(name);
    const v: Val = { name, shape, numel: numel(shape), dom, bufs: { [buf.st]: buf } };
    this.vals.set(name, v);
    return v;
  }

  /** A view of `src` under a new name and shape (layout ops that keep the element order). */
  alias(name: string, src: Val, bufs: Val['bufs']): void {
    const shape = this.shape(name);
    this.vals.set(name, { name, shape, numel: numel(shape), dom: src.dom, bufs });
  }

  /** `name` in storage `st`, adding a conversion step when it is not there yet. */
  need(name: string, st: Storage): Buf {
    const v = this.val(name);
    const have = v.bufs[st];
    if (have) return have;
    const buf = st === 'bits' ? this.frameBuf('bits', 0, this.bitsLayout(name)) : this.frameBuf(st, v.numel);
    this.steps.push(convert(v, buf, this));
    (v.bufs as Record<string, Buf>)[st] = buf;
    return buf;
  }

  add(label: string, run: Step['run']): void {
    this.steps.push({ label, run });
  }

  /** Run the reference kernel frame by frame on float64 copies of the inputs. */
  private fallbackNode(n: Node): void {
    const ins = n.inputs.map((x) => (x === '' ? undefined : this.consts.get(x) ?? { name: x, shape: this.shape(x), buf: this.need(x, 'f64') }));
    const outs = n.outputs.map((o) => (o ? { name: o, shape: this.shape(o), buf: this.frameBuf('f64', numel(this.shape(o))) } : undefined));
    outs.forEach((o) => { if (o) this.define(o.name, this.annotatedDomain(o.name), o.buf); });
    this.add(`${n.name} (${n.op.kind}, reference kernel)`, (m, b) => {
      for (let f = 0; f < b; f++) {
        const tensors = ins.map((t) => {
          if (!t || !('buf' in t)) return t as Tensor;
          const per = numel(t.shape), o = t.buf.region.off / 8 + f * per;
          return { shape: t.shape, data: m.f64.slice(o, o + per) } as Tensor;
        });
        const res = runNode(n, tensors);
        outs.forEach((o, j) => { if (o) m.f64.set(res[j]!.data, o.buf.region.off / 8 + f * numel(o.shape)); });
      }
    });
  }

  /** Inputs and fallback outputs are floats unless annotated integral (checked when converted, see convert.ts). */
  private annotatedDomain(name: string): Domain {
    const t = this.g.tensors.get(name)?.dtype;
    if (!t || t.kind === 'float32') return FLOAT;
    if (t.kind === 'bipolar') return { kind: 'int', scale: 1, lo: -1, hi: 1, twoLevel: true };
    if (t.kind === 'ternary') return { kind: 'int', scale: 1, lo: -1, hi: 1, twoLevel: false };
    if (t.bits > 31) return FLOAT;
    const lo = t.signed ? -(2 ** (t.bits - 1)) : 0, hi = t.signed ? 2 ** (t.bits - 1) - 1 : 2 ** t.bits - 1;
    return { kind: 'int', scale: 1, lo, hi, twoLevel: hi - lo === 1 };
  }

  /** A graph output that is a constant: copied into the output buffer once. */
  private constOutput(name: string): Buf {
    const t = this.consts.get(name)!;
    const buf = this.frameBuf('f64', t.data.length);
    this.add(`${name} (constant output)`, (m, b) => { for (let f = 0; f < b; f++) m.f64.set(t.data, buf.region.off / 8 + f * t.data.length); });
    return buf;
  }
}
