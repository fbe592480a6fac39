/** `finn eval <build dir> --stage rtl`: classify a dataset through the stitched RTL of a finished build. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Graph } from '../ir/graph.ts';
import { fail } from '../util/errors.ts';
import { predictedClass } from '../runtime/eval.ts';
import type { ImageDataset } from '../runtime/datasets.ts';
import { designOf } from './design.ts';
import { hostFrame } from '../runtime/host-input.ts';
import { compileStitched, runStitched, type SimSettings } from './cosim.ts';

export async function evalRtl(buildDir: string, g: Graph, ds: ImageDataset, sim: SimSettings): Promise<{ images: number; correct: number; accuracy: number; predictions: number[] }> {
  const dir = join(buildDir, 'rtl');
  if (!existsSync(join(dir, 'filelist.f'))) fail('E_FILE', `${buildDir} has no rtl/ (run finn build through the rtl step)`);
  const d = designOf(g);
  const sources = readFileSync(join(dir, 'filelist.f'), 'utf8').trim().split('\n').map((f) => join(dir, f));
  const per = ds.images.length / ds.count;
  const frames = Array.from({ length: ds.count }, (_, i) => hostFrame(g, ds.images.subarray(i * per, (i + 1) * per)));
  const model = await compileStitched(d, { dir, sources, memories: [] }, sim);
  const r = await runStitched(model, d, { dir, sources, memories: [] }, frames, sim.stallProb, sim.seed);
  const predictions = r.frames.map((f) => predictedClass({ shape: [f.length], data: Float64Array.from(f) }));
  const correct = predictions.filter((p, i) => p === ds.labels[i]).length;
  return { images: ds.count, correct, accuracy: ds.count ? correct / ds.count : 0, predictions };
}
