/** LabelSelect with K > 1 (--output topk:K): the core against execute() under random stalls, ties broken by lower index. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { int, uint, smallestIntType, type DataType } from '../../src/ir/datatype.ts';
import { runLayerCases, type LayerCase } from './layer-harness.ts';
import { tempDir } from '../helpers/shared.ts';

const ls = (name: string, labels: number, valid: number, pe: number, k: number, inputType: DataType): LayerCase => ({
  name, op: { kind: 'hw.LabelSelect', p: { labels, validLabels: valid, pe, k, inputType, outputType: smallestIntType(0, labels - 1) } },
  inputs: [{ dtype: inputType, shape: [1, labels] }],
});

test('LabelSelect core, top-K: K = 1…5, PE 1…4, padded labels, narrow (tie-heavy) and wide values, bit-exact with stalls', async () => {
  const cases = [
    ls('top3_10_pe1_u2', 10, 10, 1, 3, uint(2)),
    ls('top5_12_pe4_i3', 12, 10, 4, 5, int(3)),
    ls('top2_16_pe8_i8', 16, 16, 8, 2, int(8)),
    ls('top1_7_pe7_u1', 7, 7, 7, 1, uint(1)),
    ls('top4_6_pe2_u3', 6, 5, 2, 4, uint(3)),
    // the running-maximum path (K = PE = 1), with padded labels that must never win and tie-heavy values
    ls('top1_12_pe1_valid10_u2', 12, 10, 1, 1, uint(2)),
    ls('top1_9_pe1_i4', 9, 9, 1, 1, int(4)),
    ls('top1_3_pe1_valid1_i3', 3, 1, 1, 1, int(3)),
  ];
  const res = await runLayerCases(cases, { dir: tempDir('topk'), workDir: join(tmpdir(), 'finn-ts-rtl-tests'), seed: 21, frames: 30 });
  for (const x of res) {
    assert.deepEqual(x.mismatches, [0], `${x.name}: ${x.firstMismatch}`);
    assert.equal(x.cyclesPerFrame, x.estimate, `${x.name}: ${x.cyclesPerFrame} cycles/frame vs ${x.estimate}`);
  }
});
