/** Training throughput (images/s through forward, backward and the Adam update) for TFC and LFC, short runs. */
import { cpus, loadavg } from 'node:os';
import { train } from '../src/train/trainer.ts';
import { loadNpmMnist } from '../src/train/data.ts';
import type { Topology } from '../src/train/model.ts';

export async function trainBench(): Promise<void> {
  const data = loadNpmMnist();
  const runs: { topology: Topology; w: number; a: number; steps: number }[] = [
    { topology: 'tfc', w: 1, a: 1, steps: 100 },
    { topology: 'tfc', w: 2, a: 2, steps: 100 },
    { topology: 'lfc', w: 1, a: 1, steps: 10 },
  ];
  for (const r of runs) {
    const res = await train({ topology: r.topology, wbits: r.w, abits: r.a, epochs: 1, batch: 100, seed: 1, lr: 0.02, shift: 1, train: data, maxSteps: r.steps });
    const h = res.history[0]!;
    console.log(`training ${r.topology.toUpperCase()}-W${r.w}A${r.a} (TensorFlow.js ${res.backend}, batch 100, ${r.steps} steps): ${h.imagesPerSecond.toFixed(0)} images/s`
      + ` (${(h.seconds).toFixed(1)} s; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores)`);
  }
}
