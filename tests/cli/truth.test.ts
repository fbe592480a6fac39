/** Issue 17, "the command line tells the truth": exit codes, safe outputs, outcomes, validated folding files, one vocabulary. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { finn } from '../helpers/cli.ts';
import { FINN_TFC, ROOT, ZOO_W1A1, tempDir } from '../helpers/shared.ts';
import { readNpy } from '../../src/util/npy.ts';
import { spawnSync } from 'node:child_process';
import { runDemo } from '../../src/demo.ts';

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

test('obs 1: a missed target and a design that does not fit are said in the terminal, build_status.json and report.html; --strict exits 4; an impossible target is said once with the maximum', () => {
  const dir = tempDir('outcome');
  const up5k = join(dir, 'up5k');
  const r = finn(['build', ZOO_W1A1, '--out', up5k, '--target-fps', '1e6', '--part', 'ice40-up5k', '--to', 'estimate']);
  assert.equal(r.code, 0, r.stderr);
  // the command: no --clock-ns, so the part's clock (iCE40: 40 MHz)
  assert.match(r.stdout, /^(✓ target met|✗ target MISSED): 1,000,000 frames\/s requested, [\d,]+ estimated at 40 MHz/m);
  assert.match(r.stdout, /^✗ does NOT fit ice40-up5k \(estimate\): logic cells [\d,]+\/5,280 ✗, FF [\d,]+\/5,280( ✗)?, EBR \d+\/30/m);
  const st = JSON.parse(readFileSync(join(up5k, 'build_status.json'), 'utf8'));
  assert.equal(st.status, 'complete');
  assert.match(st.warnings.at(-1), /^does not fit ice40-up5k: [\d,]+ logic cells of 5,280/);
  assert.equal(st.outcome.fit.fits, false);
  const html = readFileSync(join(up5k, 'report.html'), 'utf8');
  assert.ok(html.indexOf('id="outcome-warnings"') > 0 && html.indexOf('id="outcome-warnings"') < html.indexOf('class="tiles hero"'), 'the warnings are at the top of the report');
  const strict = finn(['build', ZOO_W1A1, '--out', join(dir, 'strict'), '--target-fps', '1e6', '--part', 'ice40-up5k', '--to', 'estimate', '--strict', '-q']);
  assert.equal(strict.code, 4, strict.stderr);
  assert.match(strict.stderr, /E_STRICT: --strict: .*does not fit ice40-up5k/);
  const huge = finn(['build', ZOO_W1A1, '--out', join(dir, 'huge'), '--target-fps', '1e12', '--to', 'estimate']);
  assert.equal(huge.code, 0, huge.stderr);
  assert.doesNotMatch(huge.stdout, /below 0 cycles/);
  assert.match(huge.stdout, /✗ target MISSED: 1,000,000,000,000 frames\/s requested, 3,571,429 estimated at 100 MHz; no folding reaches it: at most 3,571,429 frames\/s/);
  assert.equal(huge.stdout.match(/at most 3,571,429/g)?.length, 1, 'the maximum is said once');
  const ok = finn(['build', ZOO_W1A1, '--out', join(dir, 'ok'), '--target-fps', '1e5', '--to', 'estimate', '--strict']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^✓ fits xc7z020 \(estimate\): LUT/m);
});

test('obs 2 and 3: --config output_dir goes under the current directory (said); --out that is a file or on /proc is a typed error at once', () => {
  const dir = tempDir('safe');
  const data = join(dir, 'data');
  mkdirSync(data);
  writeFileSync(join(data, 'cfg.json'), JSON.stringify({ output_dir: 'output_tfc_Pynq-Z1', board: 'Pynq-Z1', stop_step: 'step_generate_estimate_reports', target_fps: 10000 }));
  const run = join(dir, 'run');
  mkdirSync(run);
  const c = finn(['build', ZOO_W1A1, '--config', join(data, 'cfg.json')], run);
  assert.equal(c.code, 0, c.stderr);
  assert.ok(c.stdout.includes(`output: ${join(run, 'output_tfc_Pynq-Z1')}`), c.stdout);
  assert.ok(existsSync(join(run, 'output_tfc_Pynq-Z1/build_status.json')));
  assert.ok(!existsSync(join(data, 'output_tfc_Pynq-Z1')), 'nothing written next to the config file');
  const file = join(dir, 'afile');
  writeFileSync(file, 'x');
  for (const [out, msg] of [[file, /E_FILE: --out .*afile is a file, not a directory/], [join(file, 'sub'), /afile is a file/], ['/proc/finn-x', /E_FILE: --out \/proc\/finn-x is on a kernel pseudo-filesystem/]] as const) {
    const r = finn(['build', ZOO_W1A1, '--out', out, '--to', 'estimate']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, msg);
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  }
  assert.equal(readFileSync(file, 'utf8'), 'x');
});

test('obs 5: folding files are checked before step 1; an entry naming no layer is an error with close names (--allow-unmatched: warning); the report lists layers folded from defaults', () => {
  const dir = tempDir('foldcheck');
  const f = (name: string, v: unknown): string => { const p = join(dir, `${name}.json`); writeFileSync(p, typeof v === 'string' ? v : JSON.stringify(v)); return p; };
  for (const [file, msg] of [[f('syntax', '{"MVAU_0": {'), /E_CONFIG: .*syntax\.json is not valid JSON/], [f('shape', [1, 2]), /must be a JSON object/],
    [f('key', { MVAU_0: { PEE: 4 } }), /MVAU_0\.PEE is not a folding key/], [f('value', { MVAU_0: { PE: 0 } }), /MVAU_0\.PE must be a positive integer/],
    [f('ram', { MVAU_0: { ram_style: 'fast' } }), /ram_style must be one of/]] as const) {
    const out = join(dir, `o-${file.split('/').pop()}`);
    const r = finn(['build', ZOO_W1A1, '--out', out, '--folding', file, '--to', 'estimate']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, msg);
    assert.doesNotMatch(r.stdout, /▸ \[1\//, 'no step started');
    assert.ok(!existsSync(out), 'no build directory left behind');
  }
  const typo = f('typo', { Defaults: {}, MVAU_hls_0: { PE: 16, SIMD: 49 }, MVA_hls_3: { PE: 10, SIMD: 16 } });
  const bad = finn(['build', ZOO_W1A1, '--out', join(dir, 'typo'), '--folding', typo, '--to', 'estimate']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /E_FOLDING: folding entries in .*typo\.json match no layer: "MVA_3" \(did you mean MVAU_3/);
  const out = join(dir, 'allowed');
  const ok = finn(['build', ZOO_W1A1, '--out', out, '--folding', typo, '--to', 'estimate', '--allow-unmatched']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /warning: folding entries .* match no layer: "MVA_3" \(did you mean MVAU_3/);
  assert.match(ok.stdout, /folding from defaults: Thresholding_0, MVAU_1, MVAU_2, MVAU_3, LabelSelect_0/);
  const src = JSON.parse(readFileSync(join(out, 'report/folding_sources.json'), 'utf8'));
  assert.deepEqual(src.from_file, ['MVAU_0']);
  assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /id="folding-defaults">Not named in the folding file, folded from defaults: <b>Thresholding_0, MVAU_1, MVAU_2, MVAU_3, LabelSelect_0<\/b>/);
});

test("obs 7: finn exec writes FINN's expected_output.npy format (int64 (N,) class indices); --output-dtype overrides", () => {
  const dir = tempDir('execdt');
  const y = join(dir, 'y.npy');
  const r = finn(['exec', join(FINN_TFC, 'model.onnx'), '--input', join(FINN_TFC, 'input.npy'), '--output', y]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /int64 shape \[4\]/);
  // numpy itself compares the two files as FINN's tests do
  const cmp = spawnSync('python3', ['-c', `import numpy as np, sys; a=np.load(sys.argv[1]); e=np.load(sys.argv[2]); print(a.dtype, a.shape, np.array_equal(a, e) and a.dtype == e.dtype and a.shape == e.shape)`, y, join(FINN_TFC, 'expected_output.npy')], { encoding: 'utf8' });
  assert.equal(cmp.stdout.trim(), 'int64 (4,) True', cmp.stderr);
  const f = join(dir, 'f.npy');
  assert.equal(finn(['exec', join(FINN_TFC, 'model.onnx'), '--input', join(FINN_TFC, 'input.npy'), '--output', f, '--output-dtype', 'f4']).code, 0);
  assert.deepEqual(readNpy(f).shape, [4]);
  assert.equal(spawnSync('python3', ['-c', 'import numpy as np, sys; print(np.load(sys.argv[1]).dtype)', f], { encoding: 'utf8' }).stdout.trim(), 'float32');
  const bad = finn(['exec', join(FINN_TFC, 'model.onnx'), '--input', join(FINN_TFC, 'input.npy'), '--output', f, '--output-dtype', 'complex']);
  assert.equal(bad.code, 2);
});

test('obs 6: one vocabulary per part family and one default clock per part; the fold and estimate lines give the same numbers', () => {
  const dir = tempDir('vocab');
  const up = finn(['build', ZOO_W1A1, '--out', join(dir, 'up5k'), '--part', 'ice40-up5k', '--target-fps', 'max', '--to', 'estimate']);
  assert.equal(up.code, 0, up.stderr);
  assert.doesNotMatch(up.stdout, /\bLUT\b|BRAM18|BRAM_18K/, 'iCE40 is said in logic cells and EBR only');
  const fold = /fold: .* at 40 MHz; binding (?:logic cells|EBR); estimate FF (\d+)\/5280.*EBR (\d+)\/30.*logic cells (\d+)\/5280/.exec(up.stdout);
  assert.ok(fold, `the iCE40 default clock is 40 MHz:\n${up.stdout}`);
  const est = /estimate: .* at 40 MHz; ([\d,]+)\/5,280 logic cells, ([\d,]+)\/5,280 FF, (\d+)\/30 EBR on ice40-up5k/.exec(up.stdout);
  assert.ok(est, up.stdout);
  const n = (s: string) => Number(s.replace(/,/g, ''));
  assert.deepEqual([n(est[1]!), n(est[2]!), n(est[3]!)], [Number(fold[3]), Number(fold[1]), Number(fold[2])], 'fold and estimate lines agree');
  assert.match(up.stdout, new RegExp(`✓ fits ice40-up5k \\(estimate\\): logic cells ${est[1]}/5,280, FF ${est[2]}/5,280, EBR ${est[3]}/30`));
  assert.equal(JSON.parse(readFileSync(join(dir, 'up5k/build_status.json'), 'utf8')).options.clock_ns, 25);
  // report.html speaks the same words: pipeline boxes and tooltips, resource charts, summary tile and explorer
  const html = readFileSync(join(dir, 'up5k/report.html'), 'utf8');
  for (const id of ['sec-pipeline', 'sec-resources', 'sec-explorer']) {
    const sec = new RegExp(`<section class="card" id="${id}">([\\s\\S]*?)</section>`).exec(html)?.[1];
    assert.ok(sec, `report.html has #${id}`);
    const words = sec.replace(/<[^>]*>/g, ' '); // what a reader sees, tooltips included (not ids and attributes)
    assert.doesNotMatch(words, /\bLUTs?\b|BRAM ?18/, `#${id} says LUT/BRAM18 on an iCE40 part`);
    assert.match(words, /\bLC\b/, `#${id} counts logic cells`);
  }
  assert.match(new RegExp('<section class="card" id="sec-resources">([\\s\\S]*?)</section>').exec(html)![1]!, /\bEBR\b/);
  const x = finn(['build', ZOO_W1A1, '--out', join(dir, 'z020'), '--target-fps', 'max', '--to', 'estimate']);
  assert.equal(x.code, 0, x.stderr);
  const xf = /fold: .* at 100 MHz; binding LUT; estimate LUT (\d+)\/53200/.exec(x.stdout), xe = /estimate: .* at 100 MHz; ([\d,]+)\/53,200 LUT/.exec(x.stdout);
  assert.ok(xf && xe, x.stdout);
  assert.equal(n(xe[1]!), Number(xf[1]));
  const help = finn(['bitstream', '--help']).stdout;
  assert.match(help, /--freq <MHz>.*default: the part's clock, 40 MHz/s);
});

test('obs 9: README claims hold: the demo prints the folding it chose; vivado --board with another --part is an error; inspect shows QONNX shapes; the bitstream figure says random frames', async () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.doesNotMatch(readme, /co-simulation\s+of 200 MNIST images/);
  const lines: string[] = [];
  // without a simulator the demo stops at the RTL step (fast); the folding line does not depend on it
  await runDemo(join(tempDir('demo'), 'd'), ROOT, (s) => lines.push(s), '/nonexistent/verilator');
  assert.ok(readme.includes('the folding it chose'));
  assert.ok(lines.some((l) => /^ {2}folding chosen: Thresholding_0 PE \d+, MVAU_0 PE \d+ SIMD \d+/.test(l)), lines.join('\n'));
  assert.ok(!lines.some((l) => /Verilator: verilator:/i.test(l)));
  const i = finn(['inspect', ZOO_W1A1]);
  assert.equal(i.code, 0, i.stderr);
  // only true scalars (the quantizers' scale/zero-point/bit-width constants, Gather of one index) stay rank 0
  assert.match(i.stdout, /MatMul_16: MatMul\n\s+in:\s+\S+: FLOAT32\[1,784\]\s+\S+: FLOAT32\[784,64\]\n\s+out: \S+: FLOAT32\[1,64\]/);
  for (const l of i.stdout.split('\n').filter((x) => /^\s+out: .*FLOAT32\[\]/.test(x))) assert.match(l, /out: 26: FLOAT32\[\]/, `an unshaped non-scalar: ${l}`);
  const dir = tempDir('viv');
  const b = finn(['build', ZOO_W1A1, '--out', join(dir, 'b'), '--target-fps', '1e5', '--to', 'rtl', '-q']);
  assert.equal(b.code, 0, b.stderr);
  const v = finn(['vivado', join(dir, 'b'), '--board', 'Pynq-Z1', '--part', 'xczu7ev']);
  assert.equal(v.code, 2);
  assert.match(v.stderr, /E_USAGE: --board Pynq-Z1 has part xc7z020clg400-1, but --part xczu7ev was given/);
  assert.equal(finn(['vivado', join(dir, 'b'), '--board', 'Pynq-Z1', '--part', 'xc7z020']).code, 0, 'the same part is fine');
});
