/**
 * The input contract: decide what the accelerator's input stream carries and rewrite the graph's input side to match.
 *  - hardware graphs and integer inputs are taken as they are;
 *  - image models take raw UINT8 pixels (x·255; a Div 255 goes in front unless the model has one) and keep their
 *    input quantizer in the accelerator, as FINN does with its ToTensor step;
 *  - feature models (audio features, traffic statistics, physics variables) have their first quantizer run on the
 *    host, as FINN's KWS example does: the quantizer and the constant affine ops in front of it leave the graph,
 *    the graph input becomes the quantizer's integers, and a dequantizing Add/Mul keeps the graph's values unchanged;
 *    with --input-quant accel the stream carries fixed-point numbers instead and the quantizer stays in the graph
 *    (fixed-point-input.ts).
 * Which kind a model is comes from --input-kind or from the rule in `inputKind` (the build log says which).
 */
import type { Graph, Node } from '../../ir/graph.ts';
import { consumers, makeGraph } from '../../ir/index.ts';
import { BIPOLAR, dtName, isIntegral, smallestIntType } from '../../ir/datatype.ts';
import { isHwOp } from '../../ir/ops.ts';
import { numel } from '../../ir/tensor.ts';
import { quantRange } from '../../exec/quant.ts';
import { fail } from '../../util/errors.ts';
import { withContract, type InputContract } from '../../runtime/contract.ts';
import { constOperand, emitter, fullShape } from '../util.ts';
import { addPreprocessing, hasDiv255 } from '../tidy/pre-post-processing.ts';
import type { Pass, PassContext } from '../pass.ts';
import { fixedPointInput, type FixedFormat } from './fixed-point-input.ts';

export interface InputOptions {
  readonly kind?: 'image' | 'features';
  readonly quant?: 'accel' | 'host';
  /** 'none': never insert x/255 (legacy --preprocess none). */
  readonly preprocess?: 'auto' | 'none';
  /** The fixed-point format of a float feature input whose quantizer runs in the accelerator (default: from the quantizer). */
  readonly fixed?: FixedFormat;
}

type Kind = InputContract['kind'];

/** The documented rule: hardware graph; integer input; Div 255 present or an NCHW image shape → image; else features. */
export function inputKind(g: Graph, o: InputOptions): { kind: Kind; reason: string } {
  if (g.nodes.length > 0 && g.nodes.every((n) => isHwOp(n.op))) return { kind: 'hardware', reason: 'the graph is already made of hardware layers' };
  const info = g.tensors.get(g.inputs[0]!)!;
  if (o.kind) return { kind: o.kind, reason: `--input-kind ${o.kind}` };
  if (isIntegral(info.dtype)) return { kind: 'integer', reason: `the graph input is annotated ${dtName(info.dtype)}` };
  if (hasDiv255(g)) return { kind: 'image', reason: 'the graph divides its input by 255 (raw pixels)' };
  const s = info.shape;
  if (s.length === 4 && (s[1] === 1 || s[1] === 3) && s[2] === s[3] && s[2]! >= 8) return { kind: 'image', reason: `the input is an NCHW image [${s.join(',')}] (1 or 3 channels, square)` };
  return { kind: 'features', reason: `the input [${s.join(',')}] is not an NCHW image with 1 or 3 channels` };
}

const LAYOUT = new Set(['Reshape', 'Flatten', 'Identity', 'Squeeze', 'Unsqueeze']);

/** The chain from the graph input to its first quantizer: constant affine ops and shape-only ops. */
function chainToQuantizer(g: Graph): { nodes: Node[]; quant: Node } | undefined {
  const nodes: Node[] = [];
  let cur = g.inputs[0]!;
  for (;;) {
    const cs = consumers(g, cur);
    if (cs.length !== 1 || g.outputs.includes(cur)) return undefined;
    const n = cs[0]!;
    if ((n.op.kind === 'Quant' || n.op.kind === 'BipolarQuant') && n.inputs[0] === cur) return { nodes, quant: n };
    const affine = ['Add', 'Sub', 'Mul', 'Div'].includes(n.op.kind) && constOperand(g, n)?.x === cur;
    if (!affine && !LAYOUT.has(n.op.kind)) return undefined;
    nodes.push(n);
    cur = n.outputs[0]!;
  }
}

/** The chain to the first quantizer, or a typed error saying what the input must reach. */
function requireChain(g: Graph): { nodes: Node[]; quant: Node } {
  return chainToQuantizer(g) ?? fail('E_CONTRACT', `the model's float input "${g.inputs[0]}" does not reach a quantizer through constant Add/Sub/Mul/Div and reshapes only`, 'quantize the input first in the model (e.g. a QuantIdentity in Brevitas), or give integer inputs (annotate the input datatype)');
}

/** Fold the affine ops of the chain into one x·a + b on the input (per element, in the input's layout). */
function foldAffine(g: Graph, chain: readonly Node[], n: number): { scale: number[]; offset: number[] } {
  const a = new Array(n).fill(1), b = new Array(n).fill(0);
  for (const m of chain) {
    if (LAYOUT.has(m.op.kind)) continue;
    const co = constOperand(g, m)!;
    const shape = g.tensors.get(co.x)!.shape;
    const c = fullShape(co.c, shape).data;
    const before = chain.slice(0, chain.indexOf(m)).some((p) => LAYOUT.has(p.op.kind) && p.op.kind !== 'Identity');
    if (before && !c.every((v) => v === c[0])) fail('E_CONTRACT', `node ${m.name}: a non-uniform constant after a reshape of the input cannot move to the host`, 'use --input-quant accel, or export the pre-processing before the reshape');
    const at = (i: number): number => (c.length === 1 ? c[0]! : c[i]!);
    for (let i = 0; i < n; i++) {
      const v = at(i), first = co.cIndex === 0;
      if (m.op.kind === 'Add') b[i] += v;
      else if (m.op.kind === 'Sub') { if (first) { a[i] = -a[i]; b[i] = v - b[i]; } else b[i] -= v; }
      else if (m.op.kind === 'Mul') { a[i] *= v; b[i] *= v; }
      else { if (first) fail('E_CONTRACT', `node ${m.name}: c / x on the input is not affine`); a[i] /= v; b[i] /= v; }
    }
  }
  return { scale: a, offset: b };
}

/** Run the first quantizer on the host: returns the rewritten graph and the contract's quantizer description. */
function quantizerToHost(g: Graph, kind: Kind, reason: string): { graph: Graph; contract: InputContract } {
  const found = requireChain(g);
  const { nodes, quant } = found;
  const info = g.tensors.get(g.inputs[0]!)!;
  const affine = foldAffine(g, nodes, numel(info.shape));
  const e = emitter(g);
  const cv = (i: number): number[] => Array.from(g.tensors.get(quant.inputs[i]!)?.value?.data ?? fail('E_CONTRACT', `quantizer ${quant.name}: input ${i} must be constant`));
  const scale = cv(1);
  let q: InputContract['quant'], dtype;
  if (quant.op.kind === 'Quant') {
    const [z, bits] = [cv(2), cv(3)];
    if (z.length !== 1 || bits.length !== 1 || scale.some((s) => !(s > 0))) fail('E_CONTRACT', `quantizer ${quant.name}: the host quantizer needs a per-tensor zero point and bit width and positive scales`);
    q = { scale, zeroPoint: z[0]!, bits: bits[0]!, signed: quant.op.signed, narrow: quant.op.narrow, rounding: quant.op.rounding };
    dtype = smallestIntType(...quantRange(bits[0]!, quant.op.signed, quant.op.narrow));
  } else {
    if (scale.some((v) => !(v > 0))) fail('E_CONTRACT', `quantizer ${quant.name}: the host quantizer needs positive scales`);
    q = { scale, zeroPoint: 0, bits: 1, signed: true, narrow: false, rounding: 'ROUND', bipolar: true };
    dtype = BIPOLAR;
  }
  // the graph input becomes the quantizer's integers, reshaped as the chain reshaped them; dequantize in the graph
  const qin = e.value(`${g.inputs[0]}_q`, info.shape, dtype);
  let cur = qin;
  for (const m of nodes.filter((n) => LAYOUT.has(n.op.kind))) {
    const out = e.value(`${m.name}_q`, g.tensors.get(m.outputs[0]!)!.shape, dtype);
    e.node(m.name, m.op, [cur, ...m.inputs.slice(1)], [out]);
    cur = out;
  }
  const z = q?.zeroPoint ?? 0;
  const outShape = g.tensors.get(quant.outputs[0]!)!.shape;
  if (z !== 0) {
    const next = e.value(`${quant.name}_centered`, outShape, dtype);
    e.node(`${quant.name}_zp`, { kind: 'Add' }, [cur, e.constant(`${quant.name}_negzp`, { shape: [], data: Float64Array.of(-z) })], [next]);
    cur = next;
  }
  const s = scale.length === 1 ? { shape: [], data: Float64Array.of(scale[0]!) } : g.tensors.get(quant.inputs[1]!)!.value!;
  e.node(`${quant.name}_dequant`, { kind: 'Mul' }, [cur, e.constant(`${quant.name}_scale`, s)], [quant.outputs[0]!]);
  const removed = new Set([...nodes, quant]);
  const tensors = new Map(g.tensors);
  for (const t of e.tensors) tensors.set(t.name, t);
  const graph = makeGraph({ ...g, nodes: [...e.nodes, ...g.nodes.filter((n) => !removed.has(n))], tensors, inputs: [qin] });
  const trivial = affine.scale.every((v) => v === 1) && affine.offset.every((v) => v === 0);
  const compact = (v: number[]): number[] => (v.every((x) => x === v[0]) ? [v[0]!] : v);
  return {
    graph,
    contract: { kind, reason, shape: info.shape, dtype: dtName(dtype), quantizer: 'host', ...(trivial ? {} : { affine: { scale: compact(affine.scale), offset: compact(affine.offset) } }), ...(q ? { quant: q } : {}) },
  };
}

/** A float feature input with its first quantizer in the accelerator: fixed-point numbers in. */
function quantizerToAccel(g: Graph, base: Pick<InputContract, 'kind' | 'reason' | 'shape'>, fixed: FixedFormat | undefined): { graph: Graph; contract: InputContract } {
  const found = requireChain(g);
  return fixedPointInput(g, found.quant, foldAffine(g, found.nodes, numel(base.shape)), fixed, base);
}

function describe(c: InputContract): string {
  const f = c.fixed;
  if (f) {
    const lsb = `2^-${f.bits - f.intBits}`;
    return `, fixed point <${f.bits},${f.intBits}> (${f.chosen}; the host rounds to odd multiples of ${lsb} and saturates), the input quantizer runs in the accelerator; ` +
      (f.transitionsOnGrid ? 'its transitions lie on the even codes, so every input quantizes as in the model' : `its transitions do not lie on the even codes: an input within ${lsb} of one may land one level off`);
  }
  return c.quantizer === 'host' ? ', the first quantizer runs on the host' : c.quantizer === 'accelerator' ? ', the input quantizer runs in the accelerator' : '';
}

function decide(g: Graph, o: InputOptions, ctx: PassContext): Graph {
  const { kind, reason } = inputKind(g, o);
  const info = g.tensors.get(g.inputs[0]!)!;
  const base = { kind, reason, shape: info.shape };
  if (o.fixed && (kind !== 'features' || o.quant === 'host')) fail('E_USAGE', `--input-fixed is for float feature inputs whose quantizer runs in the accelerator, and this input is ${o.quant === 'host' ? 'quantized on the host (--input-quant host)' : `of kind ${kind} (${reason})`}`, 'drop --input-fixed, or use --input-kind features --input-quant accel');
  let out: { graph: Graph; contract: InputContract };
  if (kind === 'hardware' || kind === 'integer') {
    out = { graph: g, contract: { ...base, dtype: dtName(info.dtype), quantizer: 'none' } };
  } else if (o.quant === 'host' || (kind === 'features' && o.quant !== 'accel' && !o.fixed)) {
    out = quantizerToHost(g, kind, reason);
  } else if (kind === 'features') {
    out = quantizerToAccel(g, base, o.fixed);
  } else {
    // image, quantizer in the accelerator: raw pixels in (x/255 in front unless the model has it)
    const had = hasDiv255(g);
    const graph = o.preprocess === 'none' && !had ? g : addPreprocessing.run(g, ctx);
    const inInfo = graph.tensors.get(graph.inputs[0]!)!;
    const pixels = had || o.preprocess === 'none' ? { quantizer: 'accelerator' as const } : { quantizer: 'accelerator' as const, affine: { scale: [255], offset: [0] } };
    const quant = { scale: [1], zeroPoint: 0, bits: 8, signed: false, narrow: false, rounding: 'ROUND' as const };
    out = { graph, contract: { ...base, dtype: dtName(inInfo.dtype), ...pixels, ...(isIntegral(inInfo.dtype) ? { quant } : {}) } };
  }
  const c = out.contract;
  ctx.log(`input: ${c.kind} (${c.reason}); the accelerator takes ${c.dtype}${describe(c)}`);
  return withContract(out.graph, { input: c });
}

/** The input-contract pass for the given options (run once, in the pre-post step). */
export function inputContract(o: InputOptions): Pass {
  return { name: 'contract/input', summary: 'decide what the input stream carries; move the first quantizer to the host for feature inputs', run: (g, ctx) => decide(g, o, ctx) };
}
