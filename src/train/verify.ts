/** Check an exported graph against the trainer's eval-mode forward pass, image by image, with the engine. */
import type { Graph } from '../ir/graph.ts';
import { Engine } from '../engine/engine.ts';
import type { ImageDataset } from '../runtime/datasets.ts';
import { argmaxRows, predictLogits } from './trainer.ts';
import { predictCnvLogits } from './cnv-trainer.ts';
import { predictResNetLogits } from './resnet-trainer.ts';
import { isCnv, isResNet, type FrozenModel } from './export.ts';

export interface ExportCheck {
  readonly images: number;
  /** Largest |trainer logit − graph logit| over all images and classes. */
  readonly maxAbsDiff: number;
  /** Images whose predicted class differs. */
  readonly argmaxMismatches: number;
  readonly trainerLogits: Float64Array;
  readonly graphLogits: Float64Array;
}

/** Run the first `limit` images through both the trainer (eval mode) and the graph (engine, input pixel/255). */
export function checkExport(g: Graph, m: FrozenModel, ds: ImageDataset, limit: number): ExportCheck {
  const n = Math.min(limit, ds.count);
  const per = isCnv(m) || isResNet(m) ? m.plan.input.reduce((a, b) => a * b, 1) : m.sizes[0]!;
  const classes = isCnv(m) ? m.plan.fc[m.plan.fc.length - 1]! : isResNet(m) ? m.plan.classes : m.sizes[m.sizes.length - 1]!;
  const trainerLogits = isCnv(m) ? predictCnvLogits(m, ds.images, n) : isResNet(m) ? predictResNetLogits(m, ds.images, n) : predictLogits(m, ds.images, n);
  // the engine gives the reference executor's values bit for bit (tests/engine), many times faster
  const x = Float64Array.from(ds.images.subarray(0, n * per), (v) => v / 255);
  const graphLogits = new Engine(g).run(x, n).slice(0, n * classes);
  let maxAbsDiff = 0;
  for (let i = 0; i < graphLogits.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(graphLogits[i]! - trainerLogits[i]!));
  const a = argmaxRows(trainerLogits, classes), b = argmaxRows(graphLogits, classes);
  let argmaxMismatches = 0;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) argmaxMismatches++;
  return { images: n, maxAbsDiff, argmaxMismatches, trainerLogits, graphLogits };
}
