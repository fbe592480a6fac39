/** `finn exec <build dir>`: the original model's inputs in, what the output contract says out. */
import type { Graph } from '../ir/graph.ts';
import { numel, type Tensor } from '../ir/tensor.ts';
import { fail } from '../util/errors.ts';
import { contractOf, hostOutput, type IoContract } from './contract.ts';
import { acceleratorFrame } from './host-input.ts';
import { runFrames, type RunOptions } from './eval.ts';

/** Accelerator input frames for a batch of the original model's inputs (axis 0 = samples). */
export function acceleratorBatch(g: Graph, c: IoContract, x: Tensor): { frames: Float64Array; n: number } {
  const per = numel(c.input.shape);
  if (x.data.length % per !== 0) fail('E_SHAPE', `input has ${x.data.length} values, not a multiple of the model's input [${c.input.shape.join(',')}] (${per})`);
  const n = x.data.length / per;
  const perFrame = numel(g.tensors.get(g.inputs[0]!)!.shape);
  const frames = new Float64Array(n * perFrame);
  for (let i = 0; i < n; i++) frames.set(acceleratorFrame(g, x.data.subarray(i * per, (i + 1) * per), 'model'), i * perFrame);
  return { frames, n };
}

/** Run a build's final graph on the original model's inputs and apply the output contract. */
export async function runWithContract(g: Graph, x: Tensor, o: RunOptions = {}): Promise<Tensor> {
  const c = contractOf(g) ?? fail('E_CONTRACT', 'the graph has no input/output contract', 'run it on a build directory made by this version of finn build');
  const { frames, n } = acceleratorBatch(g, c, x);
  const y = await runFrames(g, { shape: [n, ...g.tensors.get(g.inputs[0]!)!.shape.slice(1)], data: frames }, o);
  const perOut = y.data.length / n;
  const out = c.output;
  if (out?.kind === 'decision') return { shape: [n], data: Float64Array.from({ length: n }, (_, i) => (y.data[i * perOut]! > 0 ? 1 : 0)) };
  if (out?.kind === 'top1') return { shape: [n], data: Float64Array.from({ length: n }, (_, i) => y.data[i * perOut]!) };
  if (out?.kind === 'topk') return { shape: [n, perOut], data: y.data };
  const data = new Float64Array(y.data.length);
  for (let i = 0; i < n; i++) data.set(hostOutput(out, y.data.subarray(i * perOut, (i + 1) * perOut)), i * perOut);
  return { shape: [n, perOut], data };
}
