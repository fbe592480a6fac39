/**
 * The dequantized float version of a QONNX network, as standard ONNX for onnxruntime (the bench's baseline): same
 * topology, weights = the weight quantizers' float outputs (constants), batch dimension free. Activation quantizers
 * either stay as their float computation in standard ops (`quantizers: 'float-ops'`: BipolarQuant → GreaterOrEqual +
 * Where, Quant → Div, Add, Round, Clip, Sub, Mul — the same function, in float32) or are dropped (`'none'`: a plain
 * float network, the cheapest thing onnxruntime could run for this topology).
 */
import type { Graph, Node } from '../src/ir/graph.ts';
import type { Tensor } from '../src/ir/tensor.ts';
import { foldConstants } from '../src/engine/plan.ts';
import { quantRange } from '../src/exec/quant.ts';
import { ElemType, encodeModelProto, type PAttribute, type PNode, type PTensor } from '../src/onnx/proto.ts';
import { fail } from '../src/util/errors.ts';

export type ActivationQuantizers = 'float-ops' | 'none';

const f32 = (name: string, t: Tensor): PTensor => ({ name, dims: [...t.shape], data_type: ElemType.FLOAT, float_data: Array.from(t.data) });
const i64 = (name: string, v: readonly number[]): PTensor => ({ name, dims: [v.length], data_type: ElemType.INT64, int64_data: [...v] });
const ints = (name: string, v: readonly number[]): PAttribute => ({ name, type: 7, ints: [...v] });
const int = (name: string, i: number): PAttribute => ({ name, type: 2, i });
const flt = (name: string, f: number): PAttribute => ({ name, type: 1, f });

export function floatOnnx(g: Graph, quantizers: ActivationQuantizers): Uint8Array {
  const { consts, dynamic } = foldConstants(g);
  const nodes: PNode[] = [], inits: PTensor[] = [];
  const rename = new Map<string, string>();
  const used = new Set<string>();
  const ref = (x: string): string => {
    if (rename.has(x)) return rename.get(x)!;
    const c = consts.get(x);
    if (c && !used.has(x)) { used.add(x); inits.push(f32(x, c)); }
    return x;
  };
  let k = 0;
  const tmp = (): string => `t${k++}`;
  const add = (op: string, ins: string[], outs: string[], attribute: PAttribute[] = []): void => { nodes.push({ name: `${op}_${k++}`, op_type: op, input: ins, output: outs, attribute }); };
  const scalar = (v: number): string => { const n = tmp(); inits.push(f32(n, { shape: [], data: Float64Array.of(v) })); return n; };
  for (const n of dynamic) lower(n);
  function lower(n: Node): void {
    const [x, out] = [n.inputs[0]!, n.outputs[0]!];
    const op = n.op;
    switch (op.kind) {
      case 'BipolarQuant': case 'Quant':
        if (quantizers === 'none') { rename.set(out, ref(x)); return; }
        if (op.kind === 'BipolarQuant') {
          const s = consts.get(n.inputs[1]!)!.data[0]!, c = tmp();
          add('GreaterOrEqual', [ref(x), scalar(0)], [c]);
          add('Where', [c, scalar(s), scalar(-s)], [out]);
        } else {
          const [s, z, b] = n.inputs.slice(1).map((i) => consts.get(i)!.data[0]!) as [number, number, number];
          const [lo, hi] = quantRange(b, op.signed, op.narrow);
          if (op.rounding !== 'ROUND') fail('E_UNSUPPORTED_OP', `bench: Quant rounding ${op.rounding}`);
          const [a, c, r, q, d] = [tmp(), tmp(), tmp(), tmp(), tmp()];
          add('Div', [ref(x), scalar(s)], [a]); add('Add', [a, scalar(z)], [c]); add('Round', [c], [r]);
          add('Clip', [r, scalar(lo), scalar(hi)], [q]); add('Sub', [q, scalar(z)], [d]); add('Mul', [d, scalar(s)], [out]);
        }
        return;
      case 'Reshape': {
        const spec = Array.from(consts.get(n.inputs[1]!)!.data);
        if (spec.length === 2) { add('Flatten', [ref(x)], [out], [int('axis', 1)]); return; }
        const sn = tmp(); inits.push(i64(sn, [-1, ...spec.slice(1)]));
        add('Reshape', [ref(x), sn], [out]); return;
      }
      case 'MatMul': case 'Add': case 'Sub': case 'Mul': case 'Div': add(op.kind, n.inputs.map(ref), [out]); return;
      case 'BatchNormalization': add(op.kind, n.inputs.map(ref), [out], [flt('epsilon', op.epsilon)]); return;
      case 'Transpose': add(op.kind, [ref(x)], [out], op.perm ? [ints('perm', op.perm)] : []); return;
      case 'Flatten': add(op.kind, [ref(x)], [out], [int('axis', op.axis)]); return;
      case 'Relu': case 'Sign': case 'Neg': add(op.kind, [ref(x)], [out]); return;
      case 'Conv':
        add('Conv', n.inputs.map(ref), [out], [ints('kernel_shape', op.kernel), ints('strides', op.strides), ints('pads', op.pads), ints('dilations', op.dilations), int('group', op.group)]);
        return;
      case 'MaxPool': add('MaxPool', [ref(x)], [out], [ints('kernel_shape', op.kernel), ints('strides', op.strides), ints('pads', op.pads)]); return;
      default: fail('E_UNSUPPORTED_OP', `bench: no float ONNX mapping for ${op.kind} (node ${n.name})`);
    }
  }
  const inName = g.inputs[0]!, outName = g.outputs[0]!;
  const inShape = g.tensors.get(inName)!.shape;
  const dims = (s: readonly number[]) => ({ dim: s.map((d, i) => (i === 0 ? { dim_param: 'N' } : { dim_value: d })) });
  const finalOut = rename.get(outName) ?? outName;
  return encodeModelProto({
    ir_version: 8, producer_name: 'finn-ts bench', opset_import: [{ domain: '', version: 13 }],
    graph: {
      name: `${g.name}_float`, node: nodes, initializer: inits,
      input: [{ name: inName, type: { tensor_type: { elem_type: ElemType.FLOAT, shape: dims(inShape) } } }],
      output: [{ name: finalOut, type: { tensor_type: { elem_type: ElemType.FLOAT } } }],
    },
  });
}
