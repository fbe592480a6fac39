/** Untrusted node names become safe identifiers and file names; injected RTL faults are located by layer. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build, type BuildOptions } from '../../src/build.ts';
import { readModel } from '../../src/onnx/read.ts';
import { encodeModel } from '../../src/onnx/write.ts';
import { makeGraph } from '../../src/ir/builder.ts';
import { lintVerilog } from '../../src/sim/lint.ts';
import { designOf } from '../../src/backend/design.ts';
import { writeRtl } from '../../src/backend/write-rtl.ts';
import { verifyDesign, verifyInputs } from '../../src/backend/verify.ts';
import { outDir } from '../../src/util/outdir.ts';
import { sanitizeIdentifier, isLegalIdentifier } from '../../src/verilog/sanitize.ts';
import { tmpdir } from 'node:os';
import { ZOO_W1A1, tempDir } from '../helpers/shared.ts';

const opts = (out: string, extra: Partial<BuildOptions> = {}): BuildOptions => ({
  model: ZOO_W1A1, out, part: 'xc7z020', clockNs: 10, targetFps: 1000000, preprocess: 'auto', maxWeightWidth: 36,
  twoPassFolding: false, log: () => {}, verifyLimit: 24, ...extra,
});

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
}

test('the sanitizer: keywords, path tricks, spaces, unicode, long and colliding names', () => {
  const taken = new Set<string>();
  const names = ['module', '../../etc/passwd', 'my layer', 'ΜVAU_ünïcode', 'x'.repeat(300), 'wire', 'x y', 'x_y', '9lives', '', 'MODULE'];
  const ids = names.map((n) => sanitizeIdentifier(n, taken));
  for (const id of ids) assert.ok(isLegalIdentifier(id) && id.length <= 64, id);
  assert.equal(new Set(ids.map((i) => i.toLowerCase())).size, ids.length, 'unique, also case-insensitively');
});

test('a model whose node names are keywords, paths, spaces and unicode builds to lint-clean Verilog inside the output directory', async () => {
  const root = tempDir('evil');
  const out = join(root, 'build');
  await build(opts(out, { to: 'estimate' }));
  const g = readModel(join(out, 'intermediate_models/estimate.onnx'));
  const evil = ['module', '../../../outside_rtl', 'my layer ☃', 'endmodule', '..\\..\\win', 'ΜVAU ünïcode'];
  const nodes = g.nodes.map((n, i) => ({ ...n, name: evil[i] ?? `n${i}` }));
  writeFileSync(join(out, 'intermediate_models/estimate.onnx'), encodeModel(makeGraph({ ...g, nodes })));
  await build(opts(out, { from: 'rtl', to: 'verify' }));
  for (const f of walk(root)) assert.ok(!relative(out, f).startsWith('..'), `${f} is outside ${out}`);
  assert.deepEqual(readdirSync(root), ['build']);
  const rtl = join(out, 'rtl');
  const files = readFileSync(join(rtl, 'filelist.f'), 'utf8').trim().split('\n');
  for (const f of files) assert.match(f, /^[A-Za-z0-9_]+\.v$/);
  const lint = await lintVerilog(files.map((f) => join(rtl, f)), 'finn_design');
  assert.ok(lint.clean, lint.output);
  const v = JSON.parse(readFileSync(join(out, 'report/verification.json'), 'utf8'));
  assert.equal(v.stages.find((s: { stage: string }) => s.stage === 'stitched_rtl').mismatches, 0);
});

test('an injected fault in one layer is reported as the first diverging layer, frame and element', async () => {
  const out = join(tempDir('fault'), 'b');
  const r = await build(opts(out, { to: 'estimate' }));
  const d = designOf(r.graph);
  const o = outDir(out);
  const files = writeRtl(d, o);
  const victim = files.memories.find((m) => m.endsWith('MVAU_1_weights.dat'))!;
  const lines = readFileSync(victim, 'utf8').split('\n');
  lines[0] = lines[0]!.replace(/^./, (c) => (parseInt(c, 16) ^ 0x8).toString(16));
  writeFileSync(victim, lines.join('\n'));
  const inputs = verifyInputs(r.graph, undefined, 16, 3);
  const res = await verifyDesign(r.graph, d, files, o, inputs, { cacheDir: join(tmpdir(), 'finn-ts-verilator'), seed: 3, stallProb: 0.3, log: () => {} }, 100);
  const layers = res.stages.find((s) => s.stage === 'hw_layers_rtl')!;
  assert.equal(layers.first_divergence?.layer, 'MVAU_1');
  const stitched = res.stages.find((s) => s.stage === 'stitched_rtl')!;
  assert.ok(stitched.mismatches > 0, 'the stitched design is wrong too');
  assert.equal(stitched.first_divergence?.layer, 'MVAU_1');
});

test('deterministic: two builds of the same model write byte-identical files (except timings)', async () => {
  const root = tempDir('determinism');
  const [a, b] = [join(root, 'a'), join(root, 'b')];
  await build(opts(a, { to: 'rtl' }));
  await build(opts(b, { to: 'rtl' }));
  const files = walk(a).map((f) => relative(a, f)).filter((f) => f !== 'time_per_step.json').sort();
  assert.deepEqual(walk(b).map((f) => relative(b, f)).filter((f) => f !== 'time_per_step.json').sort(), files);
  assert.ok(files.includes('rtl/finn_design.v') && files.includes('intermediate_models/rtl.onnx') && files.includes('final_hw_config.json'));
  assert.ok(files.includes('report.html') && files.includes('driver/driver.py'));
  for (const f of files) {
    const [x, y] = [readFileSync(join(a, f)), readFileSync(join(b, f))];
    if (f === 'build_status.json') continue; // names the output directory
    if (f === 'report.html') continue; // shows the step timings (same directory → same bytes: tests/report)
    assert.ok(x.equals(y), `${f} differs`);
  }
});
