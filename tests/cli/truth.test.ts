/** Issue 17, "the command line tells the truth": exit codes, safe outputs, outcomes, validated folding files, one vocabulary. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { finn } from '../helpers/cli.ts';
import { ROOT, ZOO_W1A1, tempDir } from '../helpers/shared.ts';

test('obs 8: option-parser errors exit 2 with one line and "see --help"; --version; --from into a new directory; bitstream with a Xilinx part', () => {
  const bad = finn(['build', ZOO_W1A1, '--bogus']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  assert.match(bad.stderr, /^error E_USAGE: unknown option '--bogus' \(see finn build --help\)$/m);
  assert.equal(bad.stdout, '', 'no help dump');
  const missing = finn(['synth', 'somedir']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /required option '--part <name>' not specified \(see finn synth --help\)/);
  const v = finn(['--version']);
  assert.equal(v.code, 0);
  assert.equal(v.stdout.trim(), JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  const help = finn(['build', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Exit codes: 0 ok, 1 internal error.*2 usage or bad input.*\n?.*3 a tool.*4 --strict.*130 interrupted/s);
  const from = finn(['build', ZOO_W1A1, '--out', join(tempDir('from'), 'new'), '--from', 'rtl']);
  assert.equal(from.code, 2);
  assert.match(from.stderr, /run the earlier steps first/);
  assert.doesNotMatch(from.stderr, /Brevitas/);
  const bit = finn(['bitstream', ZOO_W1A1, '--out', join(tempDir('bitx'), 'b'), '--part', 'xc7z020']);
  assert.equal(bit.code, 2);
  assert.match(bit.stderr, /E_PART: .*xc7z020 is not an iCE40 part/);
  assert.doesNotMatch(bit.stdout, /failed/, 'nothing ran, so no step failed');
});

test('README documents the exit codes', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  for (const c of ['**0** ok', '**1** internal error', '**2** usage', '**3** a tool', '**4** `--strict`', '**130** interrupted', 'finn --version']) assert.ok(readme.includes(c), c);
});
