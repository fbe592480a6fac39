/** GlobalAccPool: finn_globalaccpool lint and parameter checks; the core against execute() under random stalls. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIPOLAR, dtName, int, uint, type DataType } from '../../src/ir/datatype.ts';
import { globalAccPool, globalAccPoolOutType } from '../../src/hw/globalaccpool.ts';
import { runLayerCases, type LayerCase } from './layer-harness.ts';
import { illegalParamTests, lintTests } from './core-checks.ts';
import { tempDir } from '../helpers/shared.ts';

function gapCase(name: string, inputType: DataType, channels: number, pe: number, hw: [number, number]): LayerCase {
  return {
    name, op: { kind: 'hw.GlobalAccPool', p: { channels, pe, inputType, numVectors: [1, ...hw] } },
    inputs: [{ dtype: inputType, shape: [1, ...hw, channels] }],
  };
}

describe('finn_globalaccpool: lint and parameter checks', () => {
  lintTests('finn_globalaccpool', [{}, { C: 64, PE: 8, ABITS: 4, A_SIGNED: 1, OBITS: 10, NPIX: 49 },
    { C: 3, PE: 3, ABITS: 1, A_BIPOLAR: 1, OBITS: 4, NPIX: 5 }, { C: 2, PE: 1, ABITS: 8, OBITS: 8, NPIX: 1 }]);
  illegalParamTests('finn_globalaccpool', [
    [{ C: 6, PE: 4 }, /finn_globalaccpool: need C % PE == 0 and NPIX >= 1 \(C=6 PE=4/],
    [{ ABITS: 2, A_BIPOLAR: 1 }, /finn_globalaccpool: need ABITS, OBITS >= 1 and ABITS = 1 when bipolar/],
  ]);
});

test('GlobalAccPool core: sums over H·W per channel (unsigned, signed, bipolar; PE 1..C), bit-exact with stalls, H·W·C/PE cycles', async () => {
  const cases = [
    gapCase('gap_u4_4x4_c8_pe2', uint(4), 8, 2, [4, 4]),
    gapCase('gap_i4_7x7_c6_pe1', int(4), 6, 1, [7, 7]),
    gapCase('gap_bipolar_3x5_c16_pe16', BIPOLAR, 16, 16, [3, 5]),
    gapCase('gap_i8_1x1_c4_pe2', int(8), 4, 2, [1, 1]),
    gapCase('gap_u2_2x3_c1_pe1', uint(2), 1, 1, [2, 3]),
  ];
  const res = await runLayerCases(cases, { dir: tempDir('gap'), workDir: join(tmpdir(), 'finn-ts-rtl-tests'), seed: 41, frames: 5 });
  for (const x of res) {
    assert.deepEqual(x.mismatches, [0], `${x.name}: ${x.firstMismatch}`);
    assert.equal(x.cyclesPerFrame, x.estimate, `${x.name}: ${x.cyclesPerFrame} cycles/frame vs ${x.estimate} estimated`);
  }
});

test('GlobalAccPool: output datatype holds pixels × extreme (as FINN), bipolar included; shape [1, 1, 1, C]', () => {
  const p = (t: DataType, hw: number[]) => ({ channels: 4, pe: 1, inputType: t, numVectors: [1, ...hw] });
  assert.equal(dtName(globalAccPoolOutType(p(uint(4), [7, 7]))), 'UINT10');  // 49·15 = 735
  assert.equal(dtName(globalAccPoolOutType(p(int(4), [7, 7]))), 'INT10');   // 49·−8 = −392
  assert.equal(dtName(globalAccPoolOutType(p(BIPOLAR, [2, 2]))), 'INT4');   // −4..4
  const x = { shape: [1, 2, 2, 4], data: Float64Array.from({ length: 16 }, (_, i) => i % 7) };
  const [y] = globalAccPool.execute(p(uint(4), [2, 2]), [x]);
  assert.deepEqual(y!.shape, [1, 1, 1, 4]);
  assert.deepEqual(Array.from(y!.data), [0 + 4 + 1 + 5, 1 + 5 + 2 + 6, 2 + 6 + 3 + 0, 3 + 0 + 4 + 1]);
  assert.equal(globalAccPool.cycles({ ...p(uint(4), [7, 7]), channels: 64, pe: 8 }), 49 * 8);
});
