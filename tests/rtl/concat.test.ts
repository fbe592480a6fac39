/** StreamingConcat: finn_concat<N> lint and parameter checks; the core against execute() under random stalls. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIPOLAR, dtName, int, uint, type DataType } from '../../src/ir/datatype.ts';
import { concatOutType, streamingConcat } from '../../src/hw/concat.ts';
import { FinnError } from '../../src/util/errors.ts';
import { runLayerCases, type LayerCase } from './layer-harness.ts';
import { illegalParamTests, lintTests } from './core-checks.ts';
import { tempDir } from '../helpers/shared.ts';

function concatCase(name: string, elems: number[], types: DataType[], simd: number, vec: number[]): LayerCase {
  return {
    name, op: { kind: 'hw.StreamingConcat', p: { elemsPerStream: elems, simd, inputTypes: types, numVectors: vec } },
    inputs: elems.map((e, k) => ({ dtype: types[k]!, shape: [1, ...vec, e] })),
  };
}

describe('finn_concat: lint and parameter checks', () => {
  lintTests('finn_concat2', [{}, { SIMD: 4, OBITS: 1, BITS0: 1, BITS1: 1, WORDS0: 3, WORDS1: 1 }]);
  lintTests('finn_concat3', [{ SIMD: 2, OBITS: 8, BITS0: 8, SIGNED0: 1, BITS1: 1, WORDS1: 5, BITS2: 3, WORDS2: 2 }]);
  lintTests('finn_concat4', [{ WORDS0: 2, WORDS1: 3, WORDS2: 4, WORDS3: 5 }]);
  illegalParamTests('finn_concat2', [
    [{ OBITS: 3 }, /finn_concat: need 1 <= BITSk <= OBITS and WORDSk >= 1/],
    [{ WORDS1: 0 }, /finn_concat: need 1 <= BITSk <= OBITS and WORDSk >= 1/],
  ]);
  illegalParamTests('finn_concat', [[{ IN_WIDTH: 9 }, /finn_concat: need N in 1..4, SIMD, OBITS >= 1 and IN_WIDTH = SIMD \* sum\(BITS\) \(IN_WIDTH=9, expected 8\)/]]);
});

test('StreamingConcat core: 2..4 inputs of equal or mixed datatypes, SIMD 1..gcd, bit-exact with stalls, Σ channels/SIMD cycles per pixel', async () => {
  const cases = [
    concatCase('cat2_u4_8+4_simd4', [8, 4], [uint(4), uint(4)], 4, [3, 3]),
    concatCase('cat2_i3_u2_6+3_simd3', [6, 3], [int(3), uint(2)], 3, [2, 2]),
    concatCase('cat3_bipolar_16+8+8_simd8', [16, 8, 8], [BIPOLAR, BIPOLAR, BIPOLAR], 8, [4]),
    concatCase('cat3_mixed_simd1', [2, 3, 1], [uint(1), int(4), uint(3)], 1, [2, 3]),
    concatCase('cat4_i8_simd2', [2, 4, 6, 2], [int(8), int(8), int(8), int(8)], 2, [3]),
  ];
  const res = await runLayerCases(cases, { dir: tempDir('concat'), workDir: join(tmpdir(), 'finn-ts-rtl-tests'), seed: 61, frames: 5 });
  for (const x of res) {
    assert.deepEqual(x.mismatches, [0], `${x.name}: ${x.firstMismatch}`);
    assert.equal(x.cyclesPerFrame, x.estimate, `${x.name}: ${x.cyclesPerFrame} cycles/frame vs ${x.estimate} estimated`);
  }
});

test('StreamingConcat: output datatype, SIMD legality, unsupported inputs are clear errors', () => {
  assert.equal(dtName(concatOutType([uint(4), uint(4)])), 'UINT4');
  assert.equal(dtName(concatOutType([uint(1), int(4), uint(3)])), 'INT4');
  assert.equal(dtName(concatOutType([uint(2), uint(5)])), 'UINT5');
  assert.equal(dtName(concatOutType([BIPOLAR, BIPOLAR])), 'BIPOLAR');
  const p = { elemsPerStream: [8, 12], simd: 4, inputTypes: [uint(4), uint(4)], numVectors: [1, 2, 2] };
  assert.deepEqual(streamingConcat.folding(p)[0]!.values, [1, 2, 4]);
  assert.equal(streamingConcat.cycles(p), 20);
  assert.throws(() => streamingConcat.checkFolding({ ...p, simd: 8 }, 'cat'), (e: unknown) => e instanceof FinnError && e.code === 'E_FOLDING');
  assert.throws(() => streamingConcat.rtl({ ...p, inputTypes: [BIPOLAR, uint(2)] }, []), (e: unknown) => e instanceof FinnError && /bipolar/.test(e.message));
  assert.throws(() => streamingConcat.rtl({ ...p, elemsPerStream: [4, 4, 4, 4, 4], inputTypes: Array(5).fill(uint(4)) }, []), (e: unknown) => e instanceof FinnError && /2\.\.4/.test(e.message));
});
