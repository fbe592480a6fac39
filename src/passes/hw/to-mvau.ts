/** MatMul / XnorPopcountMatMul with constant weights (+ a following MultiThreshold) → hw.MVAU. */
import { minMax } from '../../util/minmax.ts';
import type { Graph, Node } from '../../ir/graph.ts';
import { replaceNodes, singleConsumer } from '../../ir/index.ts';
import { dtBits, dtMax, dtMin, dtName, dtSigned, int, isIntegral, smallestIntType, type DataType } from '../../ir/datatype.ts';
import { allInteger } from '../../ir/tensor.ts';
import { fail } from '../../util/errors.ts';
import type { MvauParams } from '../../hw/params.ts';
import { matmulRange } from '../tidy/infer-datatypes.ts';
import { emitter } from '../util.ts';
import { rewriteAll, type Pass } from '../pass.ts';
import { thresholdTable } from '../streamline/thresholds.ts';

/** Activation attributes of a MultiThreshold as the hardware implements them (count + actVal, or bipolar). */
export function hwActivation(mt: Node): { outType: DataType; actVal: number } {
  if (mt.op.kind !== 'MultiThreshold') fail('E_INTERNAL', 'not a MultiThreshold');
  const { outScale, outBias, outType } = mt.op;
  if (outType.kind === 'bipolar' && outScale === 2 && outBias === -1) return { outType, actVal: 0 };
  if (outScale !== 1 || !Number.isInteger(outBias)) {
    fail('E_TO_HW', `node ${mt.name}: MultiThreshold with out_scale ${outScale} / out_bias ${outBias} cannot be implemented in hardware`, 'the scale should have been moved out by streamlining; check the model for per-channel activation scales');
  }
  return { outType, actVal: outBias };
}

function checkOperand(n: Node, what: string, t: DataType): void {
  if (!isIntegral(t) || dtBits(t) > 8) {
    fail('E_TO_HW', `node ${n.name}: ${what} datatype ${dtName(t)} is not supported by the MVAU (integers up to 8 bits or bipolar)`, 'make sure the model quantizes this tensor (streamlining turns Quant into thresholds)');
  }
}

function toMvau(g: Graph): Graph | undefined {
  const mm = g.nodes.find((n) => (n.op.kind === 'MatMul' || n.op.kind === 'XnorPopcountMatMul') && g.tensors.get(n.inputs[1]!)?.value
    && isIntegral(g.tensors.get(n.inputs[0]!)!.dtype));
  if (!mm) return undefined;
  const x = g.tensors.get(mm.inputs[0]!)!, w = g.tensors.get(mm.inputs[1]!)!;
  const xnor = mm.op.kind === 'XnorPopcountMatMul';
  checkOperand(mm, 'input', x.dtype);
  checkOperand(mm, 'weight', w.dtype);
  if (!allInteger(w.value!)) fail('E_TO_HW', `node ${mm.name}: weights are not integers`);
  const [mw, mh] = w.value!.shape as [number, number];
  const range = xnor ? [0, mw] : matmulRange(w.value!, dtMin(x.dtype), dtMax(x.dtype));
  // the accumulator is signed whenever an operand can be negative (as the MVAU core computes it)
  const signedAcc = !xnor && (dtSigned(x.dtype) || dtSigned(w.dtype));
  const accType = smallestIntType(Math.min(signedAcc ? -1 : 0, range[0]!), range[1]!);
  const next = singleConsumer(g, mm);
  const mt = next && next.op.kind === 'MultiThreshold' && next.inputs[0] === mm.outputs[0] && g.tensors.get(next.inputs[1]!)?.value ? next : undefined;
  const e = emitter(g);
  const inputs = [mm.inputs[0]!, mm.inputs[1]!];
  let act = { outType: accType, actVal: 0 }, steps = 0;
  if (mt) {
    act = hwActivation(mt);
    const tab = thresholdTable(g.tensors.get(mt.inputs[1]!)!.value!, mh);
    if (!tab.data.every(Number.isInteger)) fail('E_TO_HW', `node ${mt.name}: thresholds are not integers after streamlining`);
    steps = tab.steps;
    inputs.push(e.constant(`${mm.name}_thres`, { shape: [mh, steps], data: tab.data }, smallestIntType(...minMax(tab.data, [0, 0]))));
  }
  const lead = x.shape.slice(1, -1);
  const p: MvauParams = {
    // bipolar weights against integer inputs are stored as INT2 (±1) and multiplied like any integer weight
    mw, mh, pe: 1, simd: 1, inputType: x.dtype, weightType: !xnor && w.dtype.kind === 'bipolar' ? int(2) : w.dtype, accType, outputType: act.outType,
    binaryXnor: xnor, noActivation: !mt, numThresholds: steps, actVal: act.actVal,
    numVectors: lead.length ? lead : [1], ramStyle: 'auto',
  };
  const out = mt ? mt.outputs[0]! : mm.outputs[0]!;
  e.node(mm.name, { kind: 'hw.MVAU', p }, inputs, [out]);
  return replaceNodes(g, mt ? [mm, mt] : [mm], e.nodes, e.tensors);
}

export const toMvauPass: Pass = {
  name: 'hw/to-mvau',
  summary: 'MatMul/XnorPopcountMatMul (+ MultiThreshold) → MVAU',
  run: (g) => rewriteAll(g, toMvau),
};
