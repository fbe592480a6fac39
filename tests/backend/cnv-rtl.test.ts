/**
 * FINN's CNV through the RTL: bit-exact under stalls, measured cycles/frame = estimate, FIFOs sized — 200 frames at
 * BNN-PYNQ's folding, 40 for W2A2 at 2,000 frames/s (a 5× wider design whose co-simulation costs 5× more per frame).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type BuildOptions } from '../../src/build.ts';
import { writeModel } from '../../src/onnx/write.ts';
import { BNN_PYNQ_CNV_FOLDING, CNV_LAYERS, syntheticQonnxCnv } from '../../src/models/synthetic-cnv.ts';
import { tempDir } from '../helpers/shared.ts';

const json = (dir: string, f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8'));

async function cnv(w: number, a: number, tag: string, extra: Partial<BuildOptions>): Promise<string> {
  const dir = tempDir(tag);
  const model = join(dir, 'cnv.onnx');
  writeModel(syntheticQonnxCnv({ input: [3, 32, 32], layers: CNV_LAYERS, fc: [512, 512, 10], wbits: w, abits: a, seed: 5 }), model);
  const out = join(dir, 'b');
  await build({ model, out, part: 'xc7z045', clockNs: 5, preprocess: 'auto', maxWeightWidth: 36, twoPassFolding: false, log: () => {}, verifyLimit: 200, stalls: true, ...extra });
  return out;
}

function check(out: string, frames: number): void {
  const v = json(out, 'report/verification.json');
  for (const s of v.stages) assert.equal(s.mismatches, 0, s.stage);
  assert.equal(v.stages.find((s: { stage: string }) => s.stage === 'stitched_rtl').images, frames);
  const perf = json(out, 'report/rtlsim_performance.json');
  const est = json(out, 'report/estimate_network_performance.json');
  assert.ok(Math.abs(perf.cycles_per_frame - est.max_cycles) / est.max_cycles <= 0.01, `measured ${perf.cycles_per_frame} vs estimate ${est.max_cycles}`);
  const f = json(out, 'report/fifo_sizing.json');
  assert.ok(f.total_bits_sized < f.total_bits_deep, 'sized FIFOs are smaller than all-deep');
  assert.equal(f.cycles_per_frame_sized, f.cycles_per_frame_deep, 'sizing keeps the frame rate');
  assert.equal(typeof f.seconds, 'number');
}

test("CNV W1A1 at BNN-PYNQ's folding: 200 frames bit-exact with stalls, 32768 cycles/frame, FIFOs sized", async () => {
  const dir = tempDir('cnvfold');
  writeFileSync(join(dir, 'fold.json'), JSON.stringify(BNN_PYNQ_CNV_FOLDING));
  const out = await cnv(1, 1, 'cnv11', { foldingFile: join(dir, 'fold.json') });
  assert.equal(json(out, 'report/estimate_network_performance.json').max_cycles, 32768);
  check(out, 200);
});

test('CNV W2A2 at --target-fps 2000 (200 MHz): 40 frames bit-exact with stalls, measured = estimated cycles/frame', async () => {
  const out = await cnv(2, 2, 'cnv22', { targetFps: 2000, verifyLimit: 40 });
  assert.ok(json(out, 'report/estimate_network_performance.json').max_cycles < 100000);
  check(out, 40);
});
