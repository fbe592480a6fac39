/**
 * Pad layer widths where the requested PE/SIMD do not divide them, as the FINN paper does for LFC (784 → 832 inputs
 * at SIMD 64; 10 → 16 outputs at PE 16). Padded inputs are constants that never contribute (XNOR: input +1 against
 * weight −1; integer: weight 0), padded neurons output a constant, and LabelSelect ignores padded labels.
 */
import type { Graph, Node, TensorInfo } from '../../ir/graph.ts';
import { dtMin } from '../../ir/datatype.ts';
import { makeGraph, consumers } from '../../ir/index.ts';
import { paddedMvau, type MvauParams } from '../../hw/mvau.ts';
import { withLayer, type HwOp } from '../../hw/registry.ts';
import { fail } from '../../util/errors.ts';
import { emitter } from '../util.ts';

const up = (n: number, m: number): number => Math.ceil(n / m) * m;

/** Weights [MW, MH] grown to [mw, mh]: new rows (inputs) get `rowValue`, new columns (neurons) `colValue`. */
function growWeights(w: Float64Array, [mw0, mh0]: [number, number], [mw, mh]: [number, number], rowValue: number, colValue: number): Float64Array {
  const out = new Float64Array(mw * mh);
  for (let r = 0; r < mw; r++) for (let c = 0; c < mh; c++) out[r * mh + c] = r < mw0 && c < mh0 ? w[r * mh0 + c]! : r >= mw0 ? rowValue : colValue;
  return out;
}

interface Mutable { nodes: Node[]; tensors: Map<string, TensorInfo> }

function setConst(m: Mutable, name: string, shape: number[], data: Float64Array): void {
  const t = m.tensors.get(name)!;
  m.tensors.set(name, { ...t, shape, value: { shape, data } });
}

/** Pad the MVAU at index i to (mw, mh), fixing its weights/thresholds and output shape. */
function padMvau(m: Mutable, i: number, mw: number, mh: number): void {
  const n = m.nodes[i]!;
  const p = (n.op as { p: MvauParams }).p;
  const rowValue = p.binaryXnor ? -1 : 0;          // padded inputs are +1 (XNOR) and must never agree / contribute
  const colValue = p.binaryXnor ? 1 : 0;
  const w = m.tensors.get(n.inputs[1]!)!.value!;
  setConst(m, n.inputs[1]!, [mw, mh], growWeights(w.data, [p.mw, p.mh], [mw, mh], rowValue, colValue));
  if (!p.noActivation && mh !== p.mh) {
    const s = p.numThresholds;
    const t = m.tensors.get(n.inputs[2]!)!.value!;
    const data = new Float64Array(mh * s).fill(dtMin(p.accType)); // padded neurons always pass: constant output
    data.set(t.data);
    setConst(m, n.inputs[2]!, [mh, s], data);
  }
  const out = m.tensors.get(n.outputs[0]!)!;
  m.tensors.set(out.name, { ...out, shape: [...out.shape.slice(0, -1), mh] });
  m.nodes[i] = { ...n, op: { kind: 'hw.MVAU', p: { ...p, mw, mh } } };
}

/** Pad every MVAU whose PE/SIMD do not divide its dimensions; insert ChannelPad where the input must grow. */
export function padForFolding(g: Graph, log: (m: string) => void): Graph {
  const m: Mutable = { nodes: [...g.nodes], tensors: new Map(g.tensors) };
  const e = emitter(g);
  for (let i = 0; i < m.nodes.length; i++) {
    const n = m.nodes[i]!;
    if (n.op.kind !== 'hw.MVAU') continue;
    const p = n.op.p;
    const mh = up(p.mh, p.pe), mw = up(p.mw, p.simd);
    if (mh === p.mh && mw === p.mw) continue;
    if (mw !== p.mw) {
      // the stream carries p.mw elements: append constants in front of the MVAU
      const x = m.tensors.get(n.inputs[0]!)!;
      const padded = e.value(`${n.name}_padded_in`, [...x.shape.slice(0, -1), mw], x.dtype);
      const chpad = paddedMvau(p, mw, mh).pad;
      const pad = e.node(`${n.name}_pad`, { kind: 'hw.ChannelPad', p: chpad }, [n.inputs[0]!], [padded]);
      for (const t of e.tensors) m.tensors.set(t.name, t);
      m.nodes.splice(i, 1, pad, { ...n, inputs: [padded, ...n.inputs.slice(1)] });
      i++;
      log(`pad: ${n.name} input width ${p.mw} → ${mw} (SIMD ${p.simd}) with ChannelPad (${chpad.simd === p.mw ? 'whole vectors' : `${chpad.simd} elements`} per word)`);
    }
    padMvau(m, i, mw, mh);
    if (mh !== p.mh) {
      log(`pad: ${n.name} outputs ${p.mh} → ${mh} (PE ${p.pe})`);
      const [c] = consumers({ ...g, nodes: m.nodes }, n.outputs[0]!);
      const j = m.nodes.indexOf(c!);
      if (c?.op.kind === 'hw.MVAU') padMvau(m, j, mh, c.op.p.mh);
      else if (c?.op.kind === 'hw.LabelSelect') m.nodes[j] = { ...c, op: { kind: 'hw.LabelSelect', p: { ...c.op.p, labels: mh, validLabels: c.op.p.validLabels } } };
      else fail('E_FOLDING', `${n.name}: PE=${p.pe} needs ${mh - p.mh} padded outputs, but ${c ? `${c.name} (${c.op.kind})` : 'the graph output'} cannot take them`);
    }
  }
  const out = makeGraph({ ...g, nodes: m.nodes, tensors: m.tensors });
  for (const n of out.nodes) if (n.op.kind.startsWith('hw.')) withLayer(n.op as HwOp, (layer, q) => layer.checkFolding(q, n.name));
  return out;
}
