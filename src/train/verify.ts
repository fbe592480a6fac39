/** Check an exported graph against the trainer's eval-mode forward pass, image by image, with the reference executor. */
import type { Graph } from '../ir/graph.ts';
import { compileGraph } from '../exec/run.ts';
import type { ImageDataset } from '../runtime/datasets.ts';
import { argmaxRows, predictLogits } from './trainer.ts';
import type { FrozenMlp } from './model.ts';

export interface ExportCheck {
  readonly images: number;
  /** Largest |trainer logit − graph logit| over all images and classes. */
  readonly maxAbsDiff: number;
  /** Images whose predicted class differs. */
  readonly argmaxMismatches: number;
  readonly trainerLogits: Float64Array;
  readonly graphLogits: Float64Array;
}

/** Run the first `limit` images through both the trainer (eval mode) and the graph (executor, input pixel/255). */
export function checkExport(g: Graph, m: FrozenMlp, ds: ImageDataset, limit: number): ExportCheck {
  const n = Math.min(limit, ds.count);
  const per = m.sizes[0]!;
  const classes = m.sizes[m.sizes.length - 1]!;
  const trainerLogits = predictLogits(m, ds.images, n);
  const run = compileGraph(g);
  const inName = g.inputs[0]!, outName = g.outputs[0]!;
  const shape = g.tensors.get(inName)!.shape;
  const graphLogits = new Float64Array(n * classes);
  const buf = new Float64Array(per);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < per; j++) buf[j] = ds.images[i * per + j]! / 255;
    graphLogits.set(run({ [inName]: { shape, data: buf } }).get(outName)!.data, i * classes);
  }
  let maxAbsDiff = 0;
  for (let i = 0; i < graphLogits.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(graphLogits[i]! - trainerLogits[i]!));
  const a = argmaxRows(trainerLogits, classes), b = argmaxRows(graphLogits, classes);
  let argmaxMismatches = 0;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) argmaxMismatches++;
  return { images: n, maxAbsDiff, argmaxMismatches, trainerLogits, graphLogits };
}
