/** After to-hw: every node must be a hardware layer; otherwise say which nodes are left and why that matters. */
import { isHwOp } from '../../ir/ops.ts';
import { fail } from '../../util/errors.ts';
import type { Pass } from '../pass.ts';

export const checkHwOnly: Pass = {
  name: 'hw/check-hw-only',
  summary: 'assert that only hardware layers remain',
  run(g) {
    const left = g.nodes.filter((n) => !isHwOp(n.op));
    if (left.length > 0) {
      fail('E_TO_HW', `${left.length} node(s) could not be mapped to hardware layers: ${left.slice(0, 6).map((n) => `${n.name} (${n.op.kind})`).join(', ')}`,
        'these ops were not removed by streamlining; inspect intermediate_models/streamline.onnx to see where they come from');
    }
    return g;
  },
};
