/** The command-line contract: build/exec/eval/inspect, and clear typed errors for bad input. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModelProto, encodeModelProto } from '../../src/onnx/proto.ts';
import { readNpy } from '../../src/util/npy.ts';
import { finn } from '../helpers/cli.ts';
import { FINN_TFC, MNIST, ROOT, ZOO_W1A1, tempDir } from '../helpers/shared.ts';
import { spawnSync } from 'node:child_process';

test('build --to estimate, eval --json on the build dir, inspect, exec', () => {
  const out = join(tempDir('cli'), 'b');
  const b = finn(['build', ZOO_W1A1, '--out', out, '--target-fps', '1000000', '--clock-ns', '10', '--to', 'estimate']);
  assert.equal(b.code, 0, b.stderr);
  assert.match(b.stdout, /build complete/);
  assert.equal(JSON.parse(readFileSync(join(out, 'build_status.json'), 'utf8')).status, 'complete');
  const e = finn(['eval', out, '--dataset', `mnist-idx:${MNIST}`, '--limit', '300', '--json']);
  assert.equal(e.code, 0, e.stderr);
  const line = JSON.parse(e.stdout.trim());
  assert.deepEqual(Object.keys(line), ['images', 'correct', 'accuracy']);
  assert.equal(line.images, 300);
  assert.equal(line.accuracy, line.correct / 300);
  const q = finn(['eval', ZOO_W1A1, '--dataset', `mnist-idx:${MNIST}`, '--limit', '300', '--json']);
  assert.equal(JSON.parse(q.stdout.trim()).correct, line.correct, 'QONNX and hardware graph agree');
  assert.match(q.stderr, /pixels \/ 255/, 'eval says which input convention it chose');
  const i = finn(['inspect', out]);
  assert.equal(i.code, 0);
  for (const s of ['MVAU_0: hw.MVAU', 'Thresholding_0: hw.Thresholding', 'LabelSelect_0: hw.LabelSelect', 'BIPOLAR']) assert.ok(i.stdout.includes(s), s);
  const y = join(tempDir('exec'), 'y.npy');
  const x = finn(['exec', join(FINN_TFC, 'model.onnx'), '--input', join(FINN_TFC, 'input.npy'), '--output', y]);
  assert.equal(x.code, 0, x.stderr);
  assert.deepEqual(Array.from(readNpy(y).data), [7, 2, 1, 0]);
});

test("--config takes FINN's dataflow_build_config.json (output_dir relative to the current directory, input files to the config; unknown keys reported)", () => {
  const dir = tempDir('cfg');
  writeFileSync(join(dir, 'fold.json'), JSON.stringify({ Defaults: {}, MVAU_hls_0: { PE: 16, SIMD: 49 } }));
  writeFileSync(join(dir, 'cfg.json'), JSON.stringify({ output_dir: 'outdir', synth_clk_period_ns: 5, folding_config_file: 'fold.json', board: 'Pynq-Z1', stop_step: 'step_generate_estimate_reports', shell_flow_type: 'vivado_zynq' }));
  const r = finn(['build', ZOO_W1A1, '--config', join(dir, 'cfg.json')], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes(`output: ${join(dir, 'outdir')} (output_dir of`), r.stdout);
  assert.match(r.stdout, /ignoring shell_flow_type/);
  assert.equal(JSON.parse(readFileSync(join(dir, 'outdir/report/estimate_layer_cycles.json'), 'utf8')).MVAU_0, 64);
  assert.equal(JSON.parse(readFileSync(join(dir, 'outdir/report/estimate_network_performance.json'), 'utf8')).estimated_latency_ns % 5, 0);
});

function expectError(args: string[], code: RegExp, mention: RegExp[]): string {
  const r = finn(args);
  assert.notEqual(r.code, 0, 'non-zero exit');
  assert.match(r.stderr, code);
  for (const m of mention) assert.match(r.stderr, m);
  assert.doesNotMatch(r.stderr, /\n\s+at .*\(.*\.ts:\d+/, 'no stack trace');
  return r.stderr;
}

test('a truncated file, a non-ONNX file and an unsupported op: clear error, non-zero exit, no build directory', () => {
  const dir = tempDir('bad');
  const trunc = join(dir, 'truncated.onnx');
  writeFileSync(trunc, readFileSync(ZOO_W1A1).subarray(0, 5000));
  const text = join(dir, 'notes.onnx');
  writeFileSync(text, 'this is not a model\n');
  const m = decodeModelProto(readFileSync(ZOO_W1A1));
  const relu = m.graph!.node!.find((n) => n.op_type === 'MatMul')!;
  relu.op_type = 'LSTM';
  const unsupported = join(dir, 'lstm.onnx');
  writeFileSync(unsupported, encodeModelProto(m));
  for (const [file, code, mention] of [[trunc, /E_ONNX_PARSE/, [/truncated\.onnx/]], [text, /E_ONNX_PARSE/, [/notes\.onnx/]],
    [unsupported, /E_UNSUPPORTED_OP/, [/lstm\.onnx/, new RegExp(relu.name!), /LSTM/]]] as const) {
    const out = join(dir, `out-${file.split('/').pop()}`);
    expectError(['build', file, '--out', out], code, [...mention]);
    assert.ok(!existsSync(out), `${out} must not be created`);
  }
  expectError(['build', join(dir, 'missing.onnx'), '--out', join(dir, 'o')], /E_FILE/, [/missing\.onnx/]);
});

test('a build that fails midway is marked failed and cannot be evaluated as complete', () => {
  const dir = tempDir('mid');
  const out = join(dir, 'b');
  const fold = join(dir, 'fold.json');
  writeFileSync(fold, JSON.stringify({ MVAU_0: { PE: 7 } }));
  expectError(['build', ZOO_W1A1, '--out', out, '--folding', fold], /E_FOLDING/, [/MVAU_0: PE=7 must divide MH=64/]);
  assert.equal(JSON.parse(readFileSync(join(out, 'build_status.json'), 'utf8')).status, 'failed');
  assert.ok(!existsSync(join(out, 'report/estimate_layer_cycles.json')));
  expectError(['eval', out, '--dataset', `mnist-idx:${MNIST}`], /E_FILE/, [/did not complete/]);
  // the failed build still has its page, which says where it stopped
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.match(html, /failed/);
  assert.match(html, /MVAU_0: PE=7 must divide MH=64/);
});

test('progress off a TTY: one line per step with its time, the error once at the end; -q prints only the result', () => {
  const dir = tempDir('progress');
  const ok = finn(['build', ZOO_W1A1, '--out', join(dir, 'a'), '--target-fps', '100000', '--to', 'estimate']);
  assert.equal(ok.code, 0, ok.stderr);
  const lines = ok.stdout.trim().split('\n');
  for (const [i, step] of ['import', 'tidy', 'pre-post', 'qonnx-to-finn', 'streamline', 'to-hw', 'fold', 'estimate'].entries()) {
    assert.ok(lines.some((l) => l.startsWith(`▸ [${i + 1}/8] ${step}`)), `start of ${step}`);
    assert.ok(lines.some((l) => new RegExp(`^✓ \\[${i + 1}/8\\] ${step} \\((<1 ms|\\d+ ms|[\\d.]+ s)\\)$`).test(l)), `end of ${step} with its time`);
  }
  // the step list's summary, then the outcome block (target, fit), then where the build is
  assert.match(lines.at(-4)!, /^✓ build: 8 steps in /);
  assert.match(lines.at(-3)!, /^✓ target met: 100,000 frames\/s requested/);
  assert.match(lines.at(-2)!, /^✓ fits xc7z020 \(estimate\): LUT /);
  assert.match(lines.at(-1)!, /^build complete: .*report: .*report\.html$/);
  const quiet = finn(['build', ZOO_W1A1, '--out', join(dir, 'q'), '--target-fps', '100000', '--to', 'estimate', '-q']);
  assert.equal(quiet.code, 0, quiet.stderr);
  assert.deepEqual(quiet.stdout.trim().split('\n').map((l) => l.split(' ')[0]), ['✓', '✓', 'build'], 'the result only: the outcome block and where the build is');
  const fold = join(dir, 'fold.json');
  writeFileSync(fold, JSON.stringify({ MVAU_1: { SIMD: 5 } }));
  const bad = finn(['build', ZOO_W1A1, '--out', join(dir, 'f'), '--folding', fold, '--to', 'estimate']);
  assert.equal(bad.code, 2);
  assert.match(bad.stdout, /^✗ \[7\/8\] fold failed$/m);
  assert.match(bad.stdout, /^✗ build failed at fold after /m);
  assert.equal(bad.stderr.match(/SIMD=5/g)?.length, 1, `the error is printed once: ${bad.stderr}`);
  assert.doesNotMatch(bad.stdout, /SIMD=5/);
});

test('--target-fps max: the fastest folding whose estimate fits the part, with its margin; too big a model is a clear error', () => {
  const dir = tempDir('fpsmax');
  const out = join(dir, 'up5k');
  const r = finn(['build', ZOO_W1A1, '--out', out, '--part', 'ice40-up5k', '--clock-ns', '25', '--target-fps', 'max', '--to', 'estimate']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /fold: --target-fps max on ice40-up5k: \d+ cycles\/frame/);
  const fit = JSON.parse(readFileSync(join(out, 'report/fit_report.json'), 'utf8'));
  const perf = JSON.parse(readFileSync(join(out, 'report/estimate_network_performance.json'), 'utf8'));
  assert.equal(perf.max_cycles, fit.cycles);
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'auto_folding_config.json'), 'utf8')), fit.folding);
  assert.ok(fit.margin.LC.used <= fit.margin.LC.limit && fit.margin.EBR.used <= fit.margin.EBR.limit);
  assert.equal(JSON.parse(readFileSync(join(out, 'build_status.json'), 'utf8')).options.fold_to_fit, true);
  // a bigger part is never slower
  const big = join(dir, 'z020');
  assert.equal(finn(['build', ZOO_W1A1, '--out', big, '--part', 'xc7z020', '--clock-ns', '25', '--target-fps', 'max', '--to', 'estimate', '-q']).code, 0);
  assert.ok(JSON.parse(readFileSync(join(big, 'report/fit_report.json'), 'utf8')).cycles <= fit.cycles);
  expectError(['build', ZOO_W1A1, '--out', join(dir, 'x'), '--target-fps', 'fast'], /E_USAGE/, [/--target-fps must be a positive number/]);
});

test('usage errors: unknown step, bad numbers, unknown part, foreign output directory, bad dataset', () => {
  const dir = tempDir('usage');
  expectError(['build', ZOO_W1A1, '--out', join(dir, 'a'), '--to', 'synthesize-everything'], /E_USAGE/, [/unknown step/]);
  expectError(['build', ZOO_W1A1, '--out', join(dir, 'a'), '--target-fps', 'fast'], /E_USAGE/, [/--target-fps/]);
  expectError(['build', ZOO_W1A1, '--out', join(dir, 'a'), '--part', 'xc9zz999'], /E_PART/, [/xc9zz999/]);
  const foreign = join(dir, 'mine');
  mkdirSync(foreign);
  writeFileSync(join(foreign, 'precious.txt'), 'keep me');
  expectError(['build', ZOO_W1A1, '--out', foreign], /E_FILE/, [/not a finn-ts build/]);
  assert.equal(readFileSync(join(foreign, 'precious.txt'), 'utf8'), 'keep me');
  expectError(['eval', ZOO_W1A1, '--dataset', 'mnist-idx:/nonexistent'], /E_DATASET/, [/nonexistent/]);
  expectError(['eval', ZOO_W1A1, '--dataset', 'imagenet'], /E_DATASET/, [/imagenet/]);
});

test('a reader that closes the pipe early (finn … | head) ends the command quietly, exit 0, no stack trace', () => {
  // `true` exits long before node has started, so the first write meets a closed pipe
  const r = spawnSync('bash', ['-c', `${JSON.stringify(process.execPath)} ${JSON.stringify(join(ROOT, 'bin/finn.js'))} train --help | true; echo "rc=\${PIPESTATUS[0]}" >&2`], { encoding: 'utf8' });
  assert.match(r.stderr, /rc=0/);
  assert.doesNotMatch(r.stderr, /EPIPE|at /);
});
