/** `finn eval <build dir> --stage rtl`: classify a dataset through the stitched RTL of a finished build. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Graph } from '../ir/graph.ts';
import { fail } from '../util/errors.ts';
import { predictor } from '../runtime/predict.ts';
import type { Dataset } from '../runtime/datasets.ts';
import { designOf } from './design.ts';
import { datasetFrame } from '../runtime/host-input.ts';
import { compileStitched, runStitched, runStitchedIcarus, type SimSettings } from './cosim.ts';

export async function evalRtl(buildDir: string, g: Graph, ds: Dataset, sim: SimSettings): Promise<{ images: number; correct: number; accuracy: number; predictions: number[] }> {
  const dir = join(buildDir, 'rtl');
  if (!existsSync(join(dir, 'filelist.f'))) fail('E_FILE', `${buildDir} has no rtl/ (run finn build through the rtl step)`);
  const d = designOf(g);
  const sources = readFileSync(join(dir, 'filelist.f'), 'utf8').trim().split('\n').map((f) => join(dir, f));
  const frames = Array.from({ length: ds.count }, (_, i) => datasetFrame(g, ds, i, 'raw'));
  const files = { dir, sources, memories: [] };
  const r = sim.simulator === 'icarus'
    ? await runStitchedIcarus(d, files, frames, sim)
    : await runStitched(await compileStitched(d, files, sim), d, files, frames, sim.stallProb, sim.seed);
  const predict = predictor(g);
  const predictions = r.frames.map((f) => predict(f));
  const correct = ds.labels ? predictions.filter((p, i) => p === ds.labels![i]).length : 0;
  return { images: ds.count, correct, accuracy: ds.count ? correct / ds.count : 0, predictions };
}
