/** Stream packing and memory layouts of the cores, and the golden helpers, on hand-checked examples. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bitsFor, memFileText, mvauWeightWords, packStream, packWord, thresholdWords, unpackWord } from '../../src/rtl/layout.ts';
import { rng } from '../../src/util/random.ts';
import { renderTestbench } from '../../src/sim/testbench.ts';
import { dwcGolden, labelSelectGolden, mvauGolden, wrapBits } from './golden.ts';

test('packWord puts element 0 in the low bits, two\'s complement', () => {
  assert.equal(packWord([1, -1], 4), 0xf1n);
  assert.equal(packWord([3, 0, 2], 2), 0b100011n);
  assert.deepEqual(unpackWord(0xf1n, 4, 2, true), [1, -1]);
  assert.deepEqual(unpackWord(0xf1n, 4, 2, false), [1, 15]);
  assert.throws(() => packWord([8], 3), /does not fit/);
  assert.deepEqual(packStream([1, 2, 3, 4], 2, 4), [0x21n, 0x43n]);
});

test('packWord/unpackWord (number fast path) agree with BigInt shifts on random widths, signs and lengths', () => {
  const r = rng(11);
  const slow = (vs: number[], bits: number): bigint => vs.reduceRight((w, v) => (w << BigInt(bits)) | (BigInt(v) & ((1n << BigInt(bits)) - 1n)), 0n);
  for (let t = 0; t < 400; t++) {
    const bits = r.int(1, 32), count = r.int(1, 70), signed = r.next() < 0.5;
    const lo = signed ? -(2 ** (bits - 1)) : 0, hi = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
    const vs = Array.from({ length: count }, () => (r.next() < 0.2 ? (r.next() < 0.5 ? lo : hi) : lo + Math.floor(r.next() * (hi - lo + 1))));
    const w = packWord(vs, bits);
    assert.equal(w, slow(vs, bits), `pack ${bits} bits × ${count}`);
    assert.deepEqual(unpackWord(w, bits, count, signed), vs, `unpack ${bits} bits × ${count}`);
    // bits above count × bits are ignored
    assert.deepEqual(unpackWord(w | (1n << BigInt(count * bits + 3)), bits, count, signed), vs);
  }
  assert.throws(() => packWord([2 ** 32], 32), /does not fit/);
  assert.throws(() => packWord([-(2 ** 31) - 1], 32), /does not fit/);
  assert.throws(() => packWord([0.5], 4), /does not fit/);
  assert.equal(packWord([2 ** 32 - 1, 1], 32), (1n << 32n) | 0xffffffffn);
});

test('MVAU weight word nf*SF+sf holds (nf*PE+p, sf*SIMD+s) at (p*SIMD+s)*W', () => {
  // MH = 4 neurons, MW = 4 columns, PE = 2, SIMD = 2, W = 4 bits; weight (n, c) = 4n + c
  const rows = [0, 1, 2, 3].map((n) => [0, 1, 2, 3].map((c) => (n * 4 + c) % 16));
  const words = mvauWeightWords(rows, 2, 2, 4);
  assert.equal(words.length, 4);
  // word 0: nf=0, sf=0: (p0,s0)=(n0,c0)=0, (p0,s1)=(n0,c1)=1, (p1,s0)=(n1,c0)=4, (p1,s1)=(n1,c1)=5
  assert.equal(words[0], packWord([0, 1, 4, 5], 4));
  // word 3: nf=1, sf=1: (n2,c2)=10, (n2,c3)=11, (n3,c2)=14, (n3,c3)=15
  assert.equal(words[3], packWord([10, 11, 14, 15], 4));
  assert.deepEqual(thresholdWords([[1, 2], [3, 4], [5, 6], [7, 8]], 2, 4), [packWord([1, 2, 3, 4], 4), packWord([5, 6, 7, 8], 4)]);
  assert.equal(memFileText([0x1n, 0xabn], 12), '001\n0ab\n');
});

test('golden helpers', () => {
  assert.equal(bitsFor(0, 1), 1);
  assert.equal(bitsFor(-1, 0), 1);
  assert.equal(bitsFor(-3, 4), 4);
  assert.equal(bitsFor(0, 784), 10);
  assert.equal(wrapBits(9, 4, true), -7);
  assert.equal(labelSelectGolden([1, 5, 5, 2]), 1);
  assert.deepEqual(dwcGolden([0xabn, 0xcdn], 8, 4), [0xbn, 0xan, 0xdn, 0xcn]);
  assert.deepEqual(dwcGolden([0xbn, 0xan, 0xdn, 0xcn], 4, 16), [0xcdabn]);
  // XNOR popcount: x = 1011, w rows 1011 (4 agree) and 0100 (0 agree); one threshold at 2
  const out = mvauGolden({ binaryXnor: true, accBits: 3, accSigned: false, thresholds: [[2], [2]], actVal: 0 },
    [[1, 0, 1, 1], [0, 1, 0, 0]], [[1, 0, 1, 1]]);
  assert.deepEqual(out, [[1, 0]]);
});

test('testbench uses VlWide indexing only for ports wider than 64 bits', () => {
  const tb = renderTestbench([{ in: 'a', out: 'b', inBits: 65, outBits: 64 }]);
  assert.match(tb, /t->a_tdata\[i\] = w\[i\]/);
  assert.match(tb, /w\[1\] = \(uint32_t\)\(t->b_tdata >> 32\)/);
});
