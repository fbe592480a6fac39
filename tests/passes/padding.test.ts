/** Padding for folding keeps every prediction (XNOR and integer layers), and is refused without --pad. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from '../../src/build.ts';
import { readModel } from '../../src/onnx/read.ts';
import { writeModel } from '../../src/onnx/write.ts';
import { syntheticQonnxMlp } from '../../src/models/synthetic.ts';
import { rng } from '../../src/util/random.ts';
import { assertEquivalent } from '../helpers/equivalence.ts';
import { tempDir } from '../helpers/shared.ts';

for (const [w, a] of [[1, 1], [2, 2], [2, 1]] as const) {
  test(`W${w}A${a}: padded widths (SIMD 16 on 60 inputs, PE 4 on 30 and 10 outputs) keep the predictions`, async () => {
    const dir = tempDir(`pad${w}${a}`);
    writeModel(syntheticQonnxMlp({ sizes: [60, 40, 30, 10], wbits: w, abits: a, seed: 9 + w, inputShape: [60] }), join(dir, 'm.onnx'));
    writeFileSync(join(dir, 'fold.json'), JSON.stringify({ MVAU_0: { SIMD: 16, PE: 8 }, MVAU_1: { PE: 4, SIMD: 8 }, MVAU_2: { PE: 4, SIMD: 2 } }));
    const base = { model: join(dir, 'm.onnx'), part: 'xc7z020', clockNs: 10, preprocess: 'auto' as const, maxWeightWidth: 36, twoPassFolding: false, log: () => {}, to: 'estimate' as const };
    await assert.rejects(build({ ...base, out: join(dir, 'nopad'), foldingFile: join(dir, 'fold.json') }), /SIMD=16 must divide MW=60/);
    const r = await build({ ...base, out: join(dir, 'b'), foldingFile: join(dir, 'fold.json'), pad: true });
    const kinds = r.graph.nodes.map((n) => n.op.kind);
    assert.ok(kinds.includes('hw.ChannelPad'));
    const ls = r.graph.nodes.find((n) => n.op.kind === 'hw.LabelSelect')!;
    assert.deepEqual([(ls.op as { p: { labels: number } }).p.labels, (ls.op as { p: { validLabels: number } }).p.validLabels], [12, 10]);
    const rand = rng(5);
    const imgs = Array.from({ length: 40 }, () => Uint8Array.from({ length: 60 }, () => rand.int(0, 255)));
    assertEquivalent(readModel(join(dir, 'm.onnx')), r.graph, imgs, `W${w}A${a} padded`);
    if (w === 2) {
      // and in RTL: ChannelPad, padded integer weights and LabelSelect's VALID, with stalls
      const v = await build({ ...base, out: join(dir, 'v'), foldingFile: join(dir, 'fold.json'), pad: true, to: 'verify', verifyLimit: 64, stalls: true });
      assert.equal(v.graph.nodes.length, r.graph.nodes.length);
      const rep = JSON.parse(readFileSync(join(dir, 'v/report/verification.json'), 'utf8'));
      for (const st of rep.stages) assert.equal(st.mismatches, 0, st.stage);
    }
  });
}
