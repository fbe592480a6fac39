/** A MultiThreshold on an integer stream that no MVAU absorbed → hw.Thresholding. */
import { minMax } from '../../util/minmax.ts';
import { replaceNodes } from '../../ir/index.ts';
import { isIntegral, smallestIntType, dtBits } from '../../ir/datatype.ts';
import { fail } from '../../util/errors.ts';
import type { ThresholdingParams } from '../../hw/params.ts';
import { emitter } from '../util.ts';
import { rewriteAll, type Pass } from '../pass.ts';
import { mtChannelAxis, thresholdTable } from '../streamline/thresholds.ts';
import { hwActivation } from './to-mvau.ts';

export const toThresholdingPass: Pass = {
  name: 'hw/to-thresholding',
  summary: 'standalone MultiThreshold → Thresholding',
  run: (g) => rewriteAll(g, (cur) => {
    const mt = cur.nodes.find((n) => n.op.kind === 'MultiThreshold' && cur.tensors.get(n.inputs[1]!)?.value);
    if (!mt) return undefined;
    const x = cur.tensors.get(mt.inputs[0]!)!;
    if (!isIntegral(x.dtype) || dtBits(x.dtype) > 16) {
      fail('E_TO_HW', `node ${mt.name}: MultiThreshold input "${x.name}" is ${x.dtype.kind}, not an integer stream`, 'give the model integer inputs (e.g. raw UINT8 pixels with pre-processing), or quantize before this node');
    }
    const axis = mtChannelAxis(cur, mt);
    if (axis !== x.shape.length - 1) fail('E_TO_HW', `node ${mt.name}: thresholding needs channels in the last axis (shape [${x.shape.join(',')}])`);
    const channels = x.shape[axis]!;
    const tab = thresholdTable(cur.tensors.get(mt.inputs[1]!)!.value!, channels);
    if (!tab.data.every(Number.isInteger)) fail('E_TO_HW', `node ${mt.name}: thresholds are not integers after streamlining`);
    const act = hwActivation(mt);
    const p: ThresholdingParams = {
      channels, pe: 1, inputType: x.dtype, outputType: act.outType, numThresholds: tab.steps, actVal: act.actVal,
      numVectors: x.shape.slice(1, -1).length ? x.shape.slice(1, -1) : [1], ramStyle: 'auto',
    };
    const e = emitter(cur);
    const t = e.constant(`${mt.name}_thres`, { shape: [channels, tab.steps], data: tab.data }, smallestIntType(...minMax(tab.data, [0, 0])));
    e.node(mt.name, { kind: 'hw.Thresholding', p }, [mt.inputs[0]!, t], [...mt.outputs]);
    return replaceNodes(cur, [mt], e.nodes, e.tensors);
  }),
};
