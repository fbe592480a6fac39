/** report.html: deterministic, self-contained, faithful to the build (explorer = the build's folding), robust to partial builds. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { build, type BuildOptions } from '../../src/build.ts';
import { loadReportData, renderReport, writeReport } from '../../src/report/index.ts';
import { registerReportCommand } from '../../src/report/command.ts';
import { explore } from '../../src/report/explore.ts';
import { FinnError } from '../../src/util/errors.ts';
import { ROOT, ZOO_W1A1, tempDir } from '../helpers/shared.ts';

const opts = (out: string, extra: Partial<BuildOptions> = {}): BuildOptions => ({
  model: ZOO_W1A1, out, part: 'xc7z020', clockNs: 10, targetFps: 1000000, preprocess: 'auto', maxWeightWidth: 36, twoPassFolding: false, log: () => {}, to: 'rtl', ...extra,
});
const json = (dir: string, f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8'));

let built: Promise<string> | null = null;
/** One TFC build through the rtl step (no simulator needed), shared by the tests below. */
function tfc(): Promise<string> {
  built ??= (async () => {
    const out = join(tempDir('report'), 'tfc');
    await build(opts(out));
    return out;
  })();
  return built;
}

test('same build directory → identical report.html bytes, also after moving the directory', async () => {
  const dir = await tfc();
  const a = readFileSync(writeReport(dir));
  const b = readFileSync(writeReport(dir));
  assert.ok(a.equals(b), 'two writes differ');
  const moved = join(tempDir('report-moved'), 'elsewhere');
  cpSync(dir, moved, { recursive: true });
  assert.ok(readFileSync(writeReport(moved)).equals(a), 'the report depends on where the build directory is');
  // a fresh process bundles the page's script again: same bytes
  const other = join(tempDir('report-process'), 'b');
  cpSync(dir, other, { recursive: true });
  const entry = pathToFileURL(join(ROOT, 'src/report/index.ts')).href;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `import { writeReport } from ${JSON.stringify(entry)}; writeReport(${JSON.stringify(other)});`], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(readFileSync(join(other, 'report.html')).equals(a), 'another process wrote different bytes');
});

test('report.html is self-contained: no external URLs, no script/style/img files, a CSP that forbids network', async () => {
  const html = readFileSync(writeReport(await tfc()), 'utf8');
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  assert.doesNotMatch(html, /<script[^>]+src=/i);
  assert.doesNotMatch(html, /<link\b/i);
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//i);
  assert.doesNotMatch(html, /@import|url\(\s*['"]?https?:/i);
  // links point at files of the build directory next to the page, or at sections of the page
  const dir = await tfc();
  for (const m of html.matchAll(/href="([^"]+)"/g)) {
    const h = m[1]!;
    if (h.startsWith('#')) assert.ok(html.includes(`id="${h.slice(1)}"`), `dangling anchor ${h}`);
    else assert.ok(existsSync(join(dir, h)), `link to a missing file ${h}`);
  }
  assert.ok(html.length < 400_000, `report is ${html.length} bytes`);
});

test('the page shows the build: every layer, its folding and cycles, the bottleneck, and the explorer starts at the built folding', async () => {
  const dir = await tfc();
  const d = loadReportData(dir);
  const folding = json(dir, 'auto_folding_config.json');
  const cycles = json(dir, 'report/estimate_layer_cycles.json');
  assert.deepEqual(d.layers.map((l) => l.name), Object.keys(cycles));
  for (const l of d.layers) {
    assert.equal(l.pe, folding[l.name].PE);
    assert.equal(l.simd, folding[l.name].SIMD ?? null);
    assert.equal(l.cycles, cycles[l.name]);
  }
  assert.equal(d.links.length, d.layers.length - 1);
  assert.ok(d.links.every((l) => l.fifo !== null), 'every stream between layers has a FIFO in final_hw_config.json');
  assert.deepEqual(d.links.map((l) => l.dwc !== null), d.layers.slice(1).map((l, i) => l.inWidth !== d.layers[i]!.outWidth));
  // the explorer runs the compiler's SetFolding: at the build's target it reproduces the build's folding
  const x = d.explorer!;
  const r = explore(x.skeleton, { fps: 1000000, part: 'xc7z020', clockNs: 10, maxWeightWidth: 36, twoPass: false });
  assert.deepEqual(r.layers.map((l) => [l.name, l.pe, l.simd]), d.layers.map((l) => [l.name, l.pe, l.simd]));
  assert.equal(r.performance.max_cycles, json(dir, 'report/estimate_network_performance.json').max_cycles);
  assert.ok(x.fpsMin < 1000000 && 1000000 < x.fpsMax);
  // no weights in the page: the skeleton holds no constant values
  assert.ok(x.skeleton.nodes.every((n) => n.inputs.length === 1));
  assert.ok(!JSON.stringify(x.skeleton).includes('"data"'));
  const html = renderReport(d);
  for (const l of d.layers) assert.ok(html.includes(`data-layer="${l.name}"`), `no pipeline box for ${l.name}`);
  assert.equal((html.match(/class="layer worst"/g) ?? []).length, 1, 'exactly one bottleneck box');
});

test('synthesized resources from report/post_synth_resources.json appear beside the estimates', async () => {
  const dir = join(tempDir('report-synth'), 'b');
  cpSync(await tfc(), dir, { recursive: true });
  const r = (LUT: number) => ({ LUT, FF: 10, BRAM_18K: 1, URAM: 0, DSP: 0 });
  writeFileSync(join(dir, 'report/post_synth_resources.json'), JSON.stringify({ MVAU_0: r(7000), MVAU_1: r(700), StreamingFIFO_0: r(30), total: r(9000) }));
  const d = loadReportData(dir);
  assert.equal(d.synthTotal!.LUT, 9000);
  assert.equal(d.layers.find((l) => l.name === 'MVAU_0')!.synth!.LUT, 7000);
  assert.equal(d.layers.find((l) => l.name === 'MVAU_2')!.synth, null);
  assert.equal(d.synthOther!.LUT, 30);
  const html = renderReport(d);
  assert.match(html, /synthesized 9,000/);
  assert.match(html, /7,000 synthesized/);
});

test('a build stopped before to-hw, and a failed build, still get a report saying so', async () => {
  const early = join(tempDir('report-early'), 'b');
  await build(opts(early, { to: 'streamline' }));
  const d = loadReportData(early);
  assert.equal(d.explorer, null);
  assert.equal(d.layers.length, 0);
  assert.match(readFileSync(writeReport(early), 'utf8'), /stopped before the to-hw step/);

  const failed = join(tempDir('report-failed'), 'b');
  const bad = join(tempDir('report-failed-cfg'), 'folding.json');
  writeFileSync(bad, JSON.stringify({ MVAU_0: { PE: 7 } }));
  await assert.rejects(build(opts(failed, { targetFps: undefined, foldingFile: bad })), (e: unknown) => e instanceof FinnError && e.code === 'E_FOLDING');
  const html = readFileSync(writeReport(failed), 'utf8');
  assert.match(html, /Build failed in step <b>fold<\/b> \(E_FOLDING\)/);
  assert.match(html, /build failed at fold/);
});

test('names from the model are escaped everywhere (HTML, SVG, embedded JSON)', async () => {
  const d = loadReportData(await tfc());
  const evil = '</script><img src=x onerror=alert(1)>';
  const html = renderReport({ ...d, title: evil, layers: d.layers.map((l, i) => (i === 0 ? { ...l, name: evil } : l)) });
  assert.ok(!html.includes('<img src=x'), 'unescaped markup from a node name');
  assert.equal(html.match(/<\/script>/g)?.length, 2, 'only the two real script elements close');
});

test('finn report <dir> writes report.html; a directory that is not a build is a clear error', async () => {
  const dir = await tfc();
  const lines: string[] = [];
  const program = new Command('finn').exitOverride();
  registerReportCommand(program, (s) => lines.push(s));
  await program.parseAsync(['report', dir], { from: 'user' });
  assert.match(lines.join('\n'), /report\.html/);
  assert.throws(() => writeReport(tempDir('report-empty')), (e: unknown) => e instanceof FinnError && e.code === 'E_FILE' && /not a finn-ts build/.test(e.message));
});
