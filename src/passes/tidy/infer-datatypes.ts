/** Infer each computed tensor's datatype from its producer (integer ranges where they are provable). */
import { minMax } from '../../util/minmax.ts';
import type { Graph, Node, TensorInfo } from '../../ir/graph.ts';
import { BIPOLAR, FLOAT32, dtEquals, dtMax, dtMin, isIntegral, smallestIntType, type DataType } from '../../ir/datatype.ts';
import { allInteger } from '../../ir/tensor.ts';
import { isHwOp } from '../../ir/ops.ts';
import { withLayer } from '../../hw/registry.ts';
import { makeGraph } from '../../ir/builder.ts';
import type { Pass } from '../pass.ts';
import { matmulRange } from '../../ir/ranges.ts';

export { matmulRange };

const LAYOUT = new Set(['Reshape', 'Flatten', 'Transpose', 'Squeeze', 'Unsqueeze', 'Identity', 'Gather', 'Concat']);

function rangeOf(t: TensorInfo): [number, number] | undefined {
  // a constant of integer values has an integer range whatever datatype it was stored with
  if (!isIntegral(t.dtype) && !(t.value && allInteger(t.value))) return undefined;
  if (t.value) {
    let lo = Infinity, hi = -Infinity;
    for (const v of t.value.data) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    return t.value.data.length ? [lo, hi] : [0, 0];
  }
  return [dtMin(t.dtype), dtMax(t.dtype)];
}

function infer(g: Graph, n: Node): DataType | undefined {
  const ins = n.inputs.map((x) => g.tensors.get(x));
  const op = n.op;

  if (LAYOUT.has(op.kind)) return ins[0]!.dtype;
  switch (op.kind) {
    case 'MultiThreshold': return op.outType;
    case 'MaxPoolNHWC': case 'MaxPool': return ins[0]!.dtype;
    case 'GlobalSumPool': {
      const r = rangeOf(ins[0]!);
      const s = ins[0]!.shape, hw = op.channelsLast ? s[1]! * s[2]! : s[2]! * s[3]!;
      return r ? smallestIntType(Math.min(0, r[0] * hw), Math.max(0, r[1] * hw)) : FLOAT32;
    }
    case 'Im2Col': {
      // padding inserts padValue, which may not be representable in the input type (e.g. 0 among bipolar ±1)
      const t = ins[0]!.dtype;
      if (!isIntegral(t) || op.pads.every((p) => p === 0) || (t.kind !== 'bipolar' && op.padValue >= dtMin(t) && op.padValue <= dtMax(t))) return t;
      return smallestIntType(Math.min(dtMin(t), op.padValue), Math.max(dtMax(t), op.padValue));
    }
    case 'XnorPopcountMatMul': return smallestIntType(0, ins[1]!.shape[0]!);
    case 'MatMul': {
      const [x, w] = [rangeOf(ins[0]!), ins[1]!.value];
      if (!x || !w || !isIntegral(ins[1]!.dtype) || w.shape.length !== 2) return FLOAT32;
      const [lo, hi] = matmulRange(w, x[0], x[1]);
      return smallestIntType(lo, hi);
    }
    case 'Add': case 'Sub': case 'Mul': {
      const [a, b] = [rangeOf(ins[0]!), rangeOf(ins[1]!)];
      if (!a || !b) return FLOAT32;
      if (op.kind === 'Add') return smallestIntType(a[0] + b[0], a[1] + b[1]);
      if (op.kind === 'Sub') return smallestIntType(a[0] - b[1], a[1] - b[0]);
      const ps = [a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]];
      return smallestIntType(Math.min(...ps), Math.max(...ps));
    }
    case 'Relu': return isIntegral(ins[0]!.dtype) ? smallestIntType(0, Math.max(0, dtMax(ins[0]!.dtype))) : FLOAT32;
    case 'Sign': return isIntegral(ins[0]!.dtype) ? smallestIntType(-1, 1) : FLOAT32;
    case 'BipolarQuant': return ins[1]?.value && ins[1].value.data.every((v) => v === 1) ? BIPOLAR : FLOAT32;
    case 'Quant': {
      const [s, z, b] = [ins[1]?.value, ins[2]?.value, ins[3]?.value];
      if (!s || !z || !b || !s.data.every((v) => v === 1) || !z.data.every((v) => v === 0) || !allInteger(b)) return FLOAT32;
      const bits = minMax(b.data)[1];
      return op.signed ? smallestIntType(-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) : smallestIntType(0, 2 ** bits - 1);
    }
    case 'TopK': case 'ArgMax': return undefined; // indices: handled per output below
    case 'Shape': return smallestIntType(0, 2 ** 31);
    default: return FLOAT32;
  }
}

export const inferDatatypes: Pass = {
  name: 'tidy/infer-datatypes',
  summary: 'derive datatypes of computed tensors',
  run(g: Graph): Graph {
    const tensors = new Map(g.tensors);
    let changed = false;
    const view: Graph = { ...g, tensors };
    for (const n of g.nodes) {
      const dts: (DataType | undefined)[] = isHwOp(n.op) ? withLayer(n.op, (l, p) => l.outTypes(p)) : n.op.kind === 'TopK'
        ? [tensors.get(n.inputs[0]!)!.dtype, smallestIntType(0, Math.max(1, (tensors.get(n.inputs[0]!)!.shape.at(-1) ?? 1) - 1))]
        : n.op.kind === 'ArgMax' ? [smallestIntType(0, Math.max(1, (tensors.get(n.inputs[0]!)!.shape.at(-1) ?? 1) - 1))] : [infer(view, n)];
      n.outputs.forEach((o, i) => {
        const dt = dts[i];
        const cur = tensors.get(o);
        if (o && dt && cur && !dtEquals(cur.dtype, dt)) { tensors.set(o, { ...cur, dtype: dt }); changed = true; }
      });
    }
    return changed ? makeGraph({ ...g, tensors }) : g;
  },
};
