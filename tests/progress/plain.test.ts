/** The command-line progress renderer: mode choice, and the plain (CI / non-TTY) mode line by line. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProgress, formatSeconds, progressMode } from '../../src/progress.ts';

function plain() {
  const lines: string[] = [];
  let t = 1000;
  const p = createProgress({ mode: 'plain', write: (l) => lines.push(l), now: () => t });
  return { p, lines, advance: (ms: number) => { t += ms; } };
}

const STEPS = [{ name: 'import', summary: 'read QONNX/FINN-ONNX' }, { name: 'fold', summary: 'choose PE/SIMD per layer' }, { name: 'verify', summary: 'co-simulate the RTL' }];

test('mode: quiet when asked, plain off a TTY, in CI or on a dumb terminal, live list otherwise', () => {
  assert.equal(progressMode({ quiet: true, isTTY: true, env: {} }), 'quiet');
  assert.equal(progressMode({ isTTY: false, env: {} }), 'plain');
  assert.equal(progressMode({ isTTY: true, env: { CI: 'true' } }), 'plain');
  assert.equal(progressMode({ isTTY: true, env: { CI: '1' } }), 'plain');
  assert.equal(progressMode({ isTTY: true, env: { CI: 'false' } }), 'tty');
  assert.equal(progressMode({ isTTY: true, env: { TERM: 'dumb' } }), 'plain');
  assert.equal(progressMode({ isTTY: true, env: { TERM: 'xterm-256color' } }), 'tty');
});

test('plain mode: one line per step start and end with its time, notes indented under the step, a summary at the end', async () => {
  const { p, lines, advance } = plain();
  p.plan(STEPS);
  p.stepStarted('import', 'read QONNX/FINN-ONNX');
  p.stepDone('import', 0.00004);
  p.stepStarted('fold');
  p.log('fold: target 1000000 frames/s at 10 ns → every layer below 100 cycles');
  p.note('two\nlines');
  advance(1234);
  p.stepDone('fold', 0.0012);
  p.stepStarted('verify');
  p.stepDone('verify', 12.34);
  await p.end();
  assert.deepEqual(lines, [
    '▸ [1/3] import: read QONNX/FINN-ONNX',
    '✓ [1/3] import (<1 ms)',
    '▸ [2/3] fold: choose PE/SIMD per layer',
    '    fold: target 1000000 frames/s at 10 ns → every layer below 100 cycles',
    '    two',
    '    lines',
    '✓ [2/3] fold (1 ms)',
    '▸ [3/3] verify: co-simulate the RTL',
    '✓ [3/3] verify (12.3 s)',
    '✓ build: 3 steps in 1.2 s',
  ]);
});

test('plain mode: progress of a long loop prints at most every tenth and always the end', () => {
  const { p, lines } = plain();
  p.plan(STEPS);
  p.stepStarted('verify');
  for (let i = 0; i <= 10000; i++) p.progress(i, 10000, 'images');
  const counts = lines.filter((l) => l.includes('images'));
  assert.equal(counts.length, 11);
  assert.equal(counts[0], '    verify: 0/10000 images (0 %)');
  assert.equal(counts[5], '    verify: 5000/10000 images (50 %)');
  assert.equal(counts.at(-1), '    verify: 10000/10000 images (100 %)');
  const { p: q, lines: few } = plain();
  q.stepStarted('verify');
  for (let i = 0; i <= 3; i++) q.progress(i, 3, 'images');
  assert.deepEqual(few.slice(1), ['    verify: 0/3 images (0 %)', '    verify: 1/3 images (33 %)', '    verify: 2/3 images (66 %)', '    verify: 3/3 images (100 %)']);
});

test('plain mode: a failed step is marked, the error text is left to the caller (printed once, at the end)', async () => {
  const { p, lines, advance } = plain();
  p.plan(STEPS);
  p.stepStarted('import');
  p.stepDone('import', 0.001);
  p.stepStarted('fold');
  advance(50);
  p.stepFailed('fold', new Error('MVAU_0: PE=7 must divide MH=64'));
  await p.end();
  assert.deepEqual(lines.slice(2), ['▸ [2/3] fold: choose PE/SIMD per layer', '✗ [2/3] fold failed', '✗ build failed at fold after 50 ms']);
  assert.ok(!lines.join('\n').includes('PE=7'), 'the error message must not be printed by the progress renderer');
});

test('plain mode without a plan, and quiet mode', async () => {
  const { p, lines } = plain();
  p.stepStarted('train', 'epoch loop');
  p.stepDone('train', 2);
  assert.deepEqual(lines, ['▸ train: epoch loop', '✓ train (2.0 s)']);
  const quiet = createProgress({ quiet: true, write: () => assert.fail('quiet mode wrote something') });
  quiet.plan(STEPS);
  quiet.stepStarted('import');
  quiet.note('x');
  quiet.progress(1, 2, 'images');
  quiet.stepFailed('import', new Error('x'));
  await quiet.end();
  assert.equal(quiet.mode, 'quiet');
});

test('formatSeconds', () => {
  assert.deepEqual([0.0001, 0.539, 1, 12.34, 61.2, 3600].map(formatSeconds), ['<1 ms', '539 ms', '1.0 s', '12.3 s', '1 min 1 s', '60 min 0 s']);
});
