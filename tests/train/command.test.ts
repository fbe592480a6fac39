/** `finn train`: usage errors are clear FinnErrors; a one-epoch run prints progress and writes a model. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { parseTrainOptions, registerTrainCommand } from '../../src/train/command.ts';
import { FinnError } from '../../src/util/errors.ts';
import { readModel } from '../../src/onnx/read.ts';
import { assertFinnError } from '../onnx/helpers.ts';
import { ROOT, tempDir } from '../helpers/shared.ts';

function program(lines: string[]): Command {
  const p = new Command('finn').exitOverride();
  registerTrainCommand(p, (s) => lines.push(s));
  return p;
}

async function usageError(args: string[], ...patterns: (string | RegExp)[]): Promise<void> {
  await assert.rejects(program([]).parseAsync(['train', ...args], { from: 'user' }), (e: unknown) => {
    assert.ok(e instanceof FinnError, `expected a FinnError, got ${String(e)}`);
    assert.equal(e.code, 'E_USAGE', e.message);
    for (const p of patterns) assert.match(e.message, typeof p === 'string' ? new RegExp(p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : p);
    return true;
  });
}

const ok = { topology: 'tfc', wbits: '1', abits: '1', dataset: 'mnist', out: join(tempDir('train-cli'), 'm.onnx') };

test('usage errors name the problem', async () => {
  await usageError(['--wbits', '1', '--abits', '1', '--dataset', 'mnist', '--out', ok.out], '--topology');
  await usageError(['--topology', 'xfc', '--wbits', '1', '--abits', '1', '--dataset', 'mnist', '--out', ok.out], 'unknown topology "xfc"');
  await usageError(['--topology', 'tfc', '--abits', '1', '--dataset', 'mnist', '--out', ok.out], '--wbits');
  await usageError(['--topology', 'tfc', '--wbits', '1', '--abits', '1', '--out', ok.out], '--dataset');
  await usageError(['--topology', 'tfc', '--wbits', '1', '--abits', '1', '--dataset', 'mnist'], '--out');
  assertFinnError(() => parseTrainOptions({ ...ok, wbits: '0' }), 'E_USAGE', '--wbits must be an integer from 1 to 8');
  assertFinnError(() => parseTrainOptions({ ...ok, abits: '9' }), 'E_USAGE', '--abits');
  assertFinnError(() => parseTrainOptions({ ...ok, wbits: '1.5' }), 'E_USAGE', '"1.5"');
  assertFinnError(() => parseTrainOptions({ ...ok, epochs: '0' }), 'E_USAGE', '--epochs');
  assertFinnError(() => parseTrainOptions({ ...ok, batch: '1' }), 'E_USAGE', '--batch');
  assertFinnError(() => parseTrainOptions({ ...ok, lr: 'fast' }), 'E_USAGE', '--lr');
  assertFinnError(() => parseTrainOptions({ ...ok, seed: '-1' }), 'E_USAGE', '--seed');
  assertFinnError(() => parseTrainOptions({ ...ok, backend: 'gpu' }), 'E_USAGE', '--backend');
  assertFinnError(() => parseTrainOptions({ ...ok, testDataset: 'mnist' }), 'E_USAGE', 'not a test set');
  assertFinnError(() => parseTrainOptions({ ...ok, width: '0' }), 'E_USAGE', '--width must be a number in (0, 16]');
  assertFinnError(() => parseTrainOptions({ ...ok, width: 'wide' }), 'E_USAGE', '--width');
  assert.equal(parseTrainOptions({ ...ok, width: '0.5' }).width, 0.5);
  const dir = tempDir('train-cli-dir');
  assertFinnError(() => parseTrainOptions({ ...ok, out: dir }), 'E_USAGE', 'is a directory');
  assertFinnError(() => parseTrainOptions({ ...ok, out: join(dir, 'no/such/m.onnx') }), 'E_USAGE', 'does not exist');
  const s = parseTrainOptions({ ...ok, topology: 'LFC' });
  assert.equal(s.topology, 'lfc');
  assert.equal(s.epochs, 50);
});

test('a bad dataset is reported before training starts', async () => {
  await assert.rejects(program([]).parseAsync(['train', '--topology', 'tfc', '--wbits', '1', '--abits', '1', '--dataset', 'mnist-idx:/nonexistent', '--out', ok.out], { from: 'user' }),
    (e: unknown) => e instanceof FinnError && e.code === 'E_DATASET' && /nonexistent/.test(e.message));
});

test('one epoch through the command: progress lines, test accuracy, export check, the model file', async () => {
  const lines: string[] = [];
  const dir = tempDir('train-cli-run');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'tfc.onnx');
  await program(lines).parseAsync(['train', '--topology', 'tfc', '--wbits', '2', '--abits', '2', '--epochs', '1', '--dataset', 'mnist',
    '--test-dataset', `mnist-idx:${join(ROOT, 'examples/mnist-sample')}`, '--out', out], { from: 'user' });
  const text = lines.join('\n');
  assert.match(text, /epoch 1\/1 {2}loss \d\.\d{4} {2}train acc [\d.]+ % {2}test acc [\d.]+ % {2}\d+ images\/s/);
  assert.match(text, /export check: .* 200 images \(max difference 0\)/);
  assert.match(text, /test accuracy: \d+\/500 = /);
  assert.ok(existsSync(out));
  const g = readModel(out);
  assert.equal(g.meta['finn_ts.train.topology'], 'tfc');
  assert.equal(g.meta['finn_ts.train.wbits'], '2');
});
