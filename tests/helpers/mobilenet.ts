/** The small MobileNet (4 depthwise-separable blocks, W4A4) as hardware layers, unfolded (the to-hw step's graph). */
import { join } from 'node:path';
import { build } from '../../src/build.ts';
import type { Graph } from '../../src/ir/graph.ts';
import { MOBILENET_SMALL, syntheticMobileNet } from '../../src/models/synthetic-convnets.ts';
import { writeModel } from '../../src/onnx/write.ts';
import { tempDir } from './shared.ts';

export async function smallMobileNetHw(tag: string, seed = 2): Promise<Graph> {
  const dir = tempDir(tag);
  writeModel(syntheticMobileNet({ ...MOBILENET_SMALL, seed, samples: 0 }).graph, join(dir, 'm.onnx'));
  return (await build({ model: join(dir, 'm.onnx'), out: join(dir, 'b'), part: 'xc7z020', clockNs: 10, preprocess: 'auto', maxWeightWidth: 4096, twoPassFolding: false, log: () => {}, to: 'to-hw' })).graph;
}
