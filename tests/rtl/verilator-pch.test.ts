/**
 * The precompiled verilated.h (src/sim/verilator-pch.ts): built once per -O level into the runtime cache directory,
 * given to every model and testbench unit, and without effect on what is compiled (same objects, same simulation).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { coreFiles } from '../../src/rtl/cores.ts';
import { finnChannel } from '../../src/sim/testbench.ts';
import { compileModel, runModel, type CompileOptions } from '../../src/sim/verilator.ts';
import { precompiledHeader, unitLevels, withHeader } from '../../src/sim/verilator-pch.ts';

const fifo = (workDir: string, runtimeDir: string, quickBuild: boolean): CompileOptions => ({
  sources: coreFiles('finn_fifo'), top: 'finn_fifo', channels: [finnChannel(8, 8)], workDir, runtimeDir, quickBuild,
  extraArgs: ['-GWIDTH=8', '-GDEPTH=4'],
});

/** The g++ lines of a build's log that compile the model and the testbench (not Verilator's runtime objects). */
function unitLines(dir: string): string[] {
  return readFileSync(join(dir, 'build.log'), 'utf8').split('\n')
    .filter((l) => /^g\+\+ .* -c -o (tb_main|Vtop)\S*\.o /.test(l));
}

const words = [1n, 2n, 3n, 200n, 255n, 0n, 17n];

test('make arguments: the header goes into OPT_FAST and OPT_SLOW only, at their -O levels', () => {
  const args = ['OPT_FAST=-O2', 'OPT_SLOW=-O0', 'OPT_GLOBAL=-O1'];
  assert.deepEqual(unitLevels(args), ['-O2', '-O0']);
  assert.deepEqual(withHeader(args, '/c/verilated_pch.h'),
    ['OPT_FAST=-O2 -include /c/verilated_pch.h', 'OPT_SLOW=-O0 -include /c/verilated_pch.h', 'OPT_GLOBAL=-O1']);
  assert.deepEqual(withHeader(args, undefined), args);
});

test('a compiler that cannot build the header: recorded once, builds go without it', async () => {
  const root = mkdtempSync(join(tmpdir(), 'finn-ts-pch-fail-'));
  let calls = 0;
  const failing = async () => { calls++; return { code: 2, output: 'cc1plus: error: something\n' }; };
  assert.equal(await precompiledHeader(join(root, 'rt'), root, ['-O0'], failing), undefined);
  assert.equal(calls, 1);
  assert.match(readFileSync(join(root, 'rt', 'verilated_pch.h.O0.unusable'), 'utf8'), /cc1plus: error: something/);
  assert.equal(await precompiledHeader(join(root, 'rt'), root, ['-O0'], failing), undefined);
  assert.equal(calls, 1, 'not tried again');
  assert.equal(await precompiledHeader(join(root, 'r t'), root, ['-O0'], failing), undefined);
  assert.equal(calls, 1, 'a path the shell would split is not tried');
});

test('from the second build of a runtime directory on, a header per -O level; same objects and outputs as without', async () => {
  const root = mkdtempSync(join(tmpdir(), 'finn-ts-pch-'));
  const rt = join(root, 'runtime');
  const first = await compileModel(fifo(join(root, 'a'), rt, true));
  const [rtDir] = readdirSync(rt);
  const gch = join(rt, rtDir!, 'verilated_pch.h.gch');
  assert.ok(!existsSync(gch), 'a one-off work directory does not pay for the header');
  for (const l of unitLines(first.dir)) assert.doesNotMatch(l, /-include/);

  const quick = await compileModel(fifo(join(root, 'b'), rt, true)); // the same design, another work directory
  assert.equal(quick.cached, false);
  assert.deepEqual(readdirSync(gch), ['O0'], 'a quick build compiles everything at -O0');
  const lines = unitLines(quick.dir);
  assert.equal(lines.length, 2, lines.join('\n'));
  for (const l of lines) assert.match(l, new RegExp(`-include ${join(rt, rtDir!, 'verilated_pch.h')}`));
  for (const obj of ['Vtop__ALL.o', 'tb_main.o']) {
    assert.ok(readFileSync(join(quick.dir, 'obj', obj)).equals(readFileSync(join(first.dir, 'obj', obj))), `${obj} differs with the precompiled header`);
  }

  const optimized = await compileModel(fifo(join(root, 'c'), rt, false));
  assert.deepEqual(readdirSync(gch).sort(), ['O0', 'O2'], 'the model\'s hot code and the testbench at -O2, the rest at -O0');
  const optLines = unitLines(optimized.dir);
  assert.ok(optLines.length >= 2);
  for (const l of optLines) assert.match(l, /-include \S+verilated_pch\.h/);
  for (const m of [first, quick, optimized]) {
    const r = await runModel(m, { inputWords: words, expectOutputWords: words.length, seed: 3, inStallProb: 0.3, outStallProb: 0.3 });
    assert.deepEqual(r.outputWords, words);
  }
});
