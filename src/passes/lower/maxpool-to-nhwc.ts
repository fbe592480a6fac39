/** MaxPool (NCHW, kernel = stride, no padding) → Transpose(NHWC) → MaxPoolNHWC → Transpose(NCHW). */
import { replaceNodes } from '../../ir/index.ts';
import { fail } from '../../util/errors.ts';
import { emitter } from '../util.ts';
import { rewriteAll, type Pass } from '../pass.ts';
import { NCHW_TO_NHWC, NHWC_TO_NCHW } from './conv-to-im2col.ts';

export const maxPoolToNhwc: Pass = {
  name: 'lower/maxpool-to-nhwc',
  summary: 'MaxPool → NHWC MaxPool between layout transposes',
  run: (g) => rewriteAll(g, (cur) => {
    const n = cur.nodes.find((m) => m.op.kind === 'MaxPool');
    if (!n || n.op.kind !== 'MaxPool') return undefined;
    if (n.op.pads.some((p) => p !== 0)) fail('E_UNSUPPORTED_OP', `node ${n.name}: MaxPool with padding is not supported`);
    const x = cur.tensors.get(n.inputs[0]!)!, y = cur.tensors.get(n.outputs[0]!)!;
    const [b, c, h, w] = x.shape as [number, number, number, number];
    const [, , oh, ow] = y.shape as [number, number, number, number];
    const e = emitter(cur);
    const xt = e.value(`${n.name}_nhwc`, [b, h, w, c], x.dtype);
    const yt = e.value(`${n.name}_pooled`, [b, oh, ow, c], x.dtype);
    e.node(`${n.name}_to_nhwc`, { kind: 'Transpose', perm: NCHW_TO_NHWC }, [n.inputs[0]!], [xt]);
    e.node(n.name, { kind: 'MaxPoolNHWC', kernel: n.op.kernel, strides: n.op.strides }, [xt], [yt]);
    e.node(`${n.name}_to_nchw`, { kind: 'Transpose', perm: NHWC_TO_NCHW }, [yt], [...n.outputs]);
    return replaceNodes(cur, [n], e.nodes, e.tensors);
  }),
};
