/** Numerical equivalence of two graphs that may differ in interface (float vs raw pixels in, logits vs index out). */
import assert from 'node:assert/strict';
import type { Graph } from '../../src/ir/graph.ts';
import { compileGraph } from '../../src/exec/run.ts';
import { isIntegral } from '../../src/ir/datatype.ts';
import { numel } from '../../src/ir/tensor.ts';
import { predictedClass } from '../../src/runtime/eval.ts';
import { acceleratorFrame, hostFrame } from '../../src/runtime/host-input.ts';
import { contractOf } from '../../src/runtime/contract.ts';

/** Output of `g` on raw 0–255 pixels (scaled to [0, 1] when the graph takes floats). */
export function runOnPixels(g: Graph, px: ArrayLike<number>): Float64Array {
  const info = g.tensors.get(g.inputs[0]!)!;
  const raw = isIntegral(info.dtype);
  // a build's graph follows its input contract (e.g. the first quantizer on the host); a model takes pixels or pixels / 255
  const data = contractOf(g) ? acceleratorFrame(g, px, 'pixels') : hostFrame(g, Float64Array.from(px, (v) => (raw ? v : v / 255)));
  return compileGraph(g)({ [g.inputs[0]!]: { shape: info.shape, data } }).get(g.outputs[0]!)!.data;
}

/** Assert that `a` and `b` compute the same thing on each image (values within 1e-9 relative, or the same class). */
export function assertEquivalent(a: Graph, b: Graph, images: readonly Uint8Array[], what: string): void {
  assert.equal(numel(a.tensors.get(a.inputs[0]!)!.shape), numel(b.tensors.get(b.inputs[0]!)!.shape), `${what}: input size changed`);
  images.forEach((px, i) => {
    const ya = runOnPixels(a, px), yb = runOnPixels(b, px);
    if (ya.length === yb.length) {
      ya.forEach((v, j) => {
        const tol = 1e-9 * Math.max(1, Math.abs(v));
        assert.ok(Math.abs(v - yb[j]!) <= tol, `${what}: image ${i} output ${j}: ${v} vs ${yb[j]}`);
      });
    } else {
      const ca = predictedClass({ shape: [ya.length], data: ya }), cb = predictedClass({ shape: [yb.length], data: yb });
      assert.equal(ca, cb, `${what}: image ${i} class ${ca} vs ${cb}`);
    }
  });
}
