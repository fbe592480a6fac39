/** The finn-ts-trained examples through the RTL: the same predictions as the exported model, image by image. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from '../../src/build.ts';
import { readModel } from '../../src/onnx/read.ts';
import { loadDataset } from '../../src/runtime/datasets.ts';
import { evaluate } from '../../src/runtime/eval.ts';
import { evalRtl } from '../../src/backend/rtl-eval.ts';
import { tmpdir } from 'node:os';
import { MNIST, ROOT, tempDir } from '../helpers/shared.ts';

for (const name of ['tfc_w1a1', 'tfc_w2a2']) {
  test(`examples/${name}.onnx: stitched RTL predictions equal the exported model's on 2,000 MNIST test images`, async () => {
    const model = join(ROOT, 'examples', `${name}.onnx`);
    const out = join(tempDir(name), 'b');
    const r = await build({ model, out, part: 'xc7z020', clockNs: 10, targetFps: 1000000, preprocess: 'auto', maxWeightWidth: 36, twoPassFolding: false,
      log: () => {}, verifyDataset: `mnist-idx:${MNIST}`, verifyLimit: 2000, stalls: true });
    const v = JSON.parse(readFileSync(join(out, 'report/verification.json'), 'utf8'));
    for (const s of v.stages) assert.equal(s.mismatches, 0, s.stage);
    const ds = loadDataset(`mnist-idx:${MNIST}`, 2000);
    const exported = evaluate(readModel(model), ds);
    const rtl = await evalRtl(out, r.graph, ds, { cacheDir: join(tmpdir(), 'finn-ts-verilator'), seed: 1, stallProb: 0, log: () => {} });
    assert.deepEqual(rtl.predictions, Array.from(exported.predictions), 'image-by-image predictions');
    assert.equal(rtl.correct, exported.correct);
  });
}
