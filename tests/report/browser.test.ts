/**
 * report.html in a real browser (Debian's chromium via playwright-core): a TFC build through verify, opened from
 * file:// with no network. No console errors, every chart drawn, the folding explorer reacts to its slider with the
 * compiler's own numbers. Saves test-artifacts/report-tfc.png.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from '../../src/build.ts';
import { loadReportData } from '../../src/report/index.ts';
import { explore } from '../../src/report/explore.ts';
import { writeModel } from '../../src/onnx/write.ts';
import { BNN_PYNQ_CNV_FOLDING, CNV_LAYERS, syntheticQonnxCnv } from '../../src/models/synthetic-cnv.ts';
import { SLIDER_STEPS, sliderToFps } from '../../src/report/explorer-view.ts';
import { fmtSi, round3 } from '../../src/report/format.ts';
import { MNIST, ROOT, ZOO_W1A1, tempDir } from '../helpers/shared.ts';

const CHROMIUM = process.env.FINN_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

async function tfcReport(): Promise<string> {
  const out = join(tempDir('report-browser'), 'tfc');
  await build({
    model: ZOO_W1A1, out, part: 'xc7z020', clockNs: 10, targetFps: 1000000, preprocess: 'auto', maxWeightWidth: 36, twoPassFolding: false,
    log: () => {}, verifyDataset: `mnist-idx:${MNIST}`, verifyLimit: 40,
  });
  return join(out, 'report.html'); // written by the build itself
}

/** FINN's CNV topology (W1A1, BNN-PYNQ folding, xc7z045 at 200 MHz) through verify on a few random frames. */
async function cnvReport(): Promise<string> {
  const dir = tempDir('report-browser-cnv');
  const model = join(dir, 'cnv.onnx');
  writeModel(syntheticQonnxCnv({ input: [3, 32, 32], layers: CNV_LAYERS, fc: [512, 512, 10], wbits: 1, abits: 1, seed: 5 }), model);
  writeFileSync(join(dir, 'fold.json'), JSON.stringify(BNN_PYNQ_CNV_FOLDING));
  const out = join(dir, 'cnv');
  await build({
    model, out, part: 'xc7z045', clockNs: 5, foldingFile: join(dir, 'fold.json'), preprocess: 'auto', maxWeightWidth: 36, twoPassFolding: false,
    log: () => {}, verifyLimit: 4,
  });
  return join(out, 'report.html');
}

/** Text in the pipeline diagram that overlaps other text or another layer's box (client rectangles, 0.5 px slack). */
const OVERLAPS_JS = `(() => {
  const svg = document.querySelector('#pipeline svg') || document.querySelector('svg[data-chart="pipeline"]');
  const texts = [...svg.querySelectorAll('text')].map((t) => ({ t: t.textContent, r: t.getBoundingClientRect(), g: t.closest('g.layer') }));
  const boxes = [...svg.querySelectorAll('g.layer rect')].map((r) => ({ r: r.getBoundingClientRect(), g: r.closest('g.layer') }));
  const hit = (a, c) => a.left < c.right - 0.5 && c.left < a.right - 0.5 && a.top < c.bottom - 0.5 && c.top < a.bottom - 0.5;
  const out = [];
  for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) if (hit(texts[i].r, texts[j].r)) out.push('"' + texts[i].t + '" overlaps "' + texts[j].t + '"');
  for (const t of texts) for (const b of boxes) if (b.g !== t.g && hit(t.r, b.r)) out.push('"' + t.t + '" overlaps the box of ' + b.g.getAttribute('data-layer'));
  return { texts: texts.length, overlaps: out };
})()`;

async function pipelineOverlaps(page: Page): Promise<{ texts: number; overlaps: string[] }> {
  return await page.evaluate(OVERLAPS_JS) as { texts: number; overlaps: string[] };
}

interface Expect {
  readonly part: string;
  readonly clockNs: number;
  readonly artifact: string;
}

/** A report opened from file://, collecting console errors/warnings, page errors and any network request. */
async function openPage(browser: Browser, file: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => { if (!r.url().startsWith('file:')) problems.push(`network request: ${r.url()}`); });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, problems };
}

/** Open a report from file:// with no network and check everything a reader relies on. */
async function checkInBrowser(page0: string, want: Expect): Promise<void> {
  assert.ok(existsSync(CHROMIUM), `chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set FINN_CHROMIUM)`);
  assert.ok(existsSync(page0), 'the build did not write report.html');
  const dir = join(page0, '..');
  const data = loadReportData(dir);
  let browser: Browser | null = null;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    const { page, problems } = await openPage(browser, page0);

    // every chart is an SVG with a non-zero size and content
    const charts = await page.$$eval('svg[data-chart]', (els) => els.map((e) => {
      const r = e.getBoundingClientRect();
      return { chart: e.getAttribute('data-chart'), w: r.width, h: r.height, shapes: e.querySelectorAll('rect, path, line').length };
    }));
    const names = charts.map((c) => c.chart);
    for (const name of ['pipeline', 'cycles', 'utilization', 'layer-LUT', 'layer-BRAM_18K', 'layer-DSP', 'explore-cycles', 'explore-utilization', 'explore-lut']) {
      assert.ok(names.includes(name), `chart ${name} missing (have ${names.join(', ')})`);
    }
    for (const c of charts) {
      assert.ok(c.w > 100 && c.h > 40, `chart ${c.chart} is ${c.w}×${c.h}`);
      assert.ok(c.shapes > 3, `chart ${c.chart} draws nothing`);
    }
    // the pipeline has a box per layer with the bottleneck marked; the cycles chart has the target and measured lines
    assert.equal(await page.locator('#pipeline g.layer').count(), data.layers.length);
    assert.equal(await page.locator('#pipeline g.layer.worst').count(), 1);
    assert.equal(await page.locator('#cycles g.measured line').count(), 1);
    // no label of the pipeline diagram overlaps another label or another layer's box
    const ov = await pipelineOverlaps(page);
    assert.ok(ov.texts > data.layers.length * 4, `pipeline labels: ${ov.texts}`);
    assert.deepEqual(ov.overlaps, []);
    // verification: three stages, all matching
    assert.equal(await page.locator('#verification .stage[data-stage]').count(), 3);
    assert.equal(await page.locator('#verification .stage.fail').count(), 0);
    await page.screenshot({ path: (mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true }), join(ROOT, 'test-artifacts', want.artifact)), fullPage: true });

    // the explorer: other targets → other PE/SIMD and cycles; the figures come from the compiler's code
    const fps0 = await page.locator('#explore-fps').innerText();
    const cycles0 = await page.locator('#explore-cycles').innerHTML();
    // the explorer starts at the build's frames/s, folded by the compiler's own SetFolding and cost model
    const x0 = data.explorer!;
    const start = explore(x0.skeleton, { fps: x0.fpsStart, part: want.part, clockNs: want.clockNs, maxWeightWidth: 36, twoPass: false });
    assert.equal(fps0, fmtSi(start.performance.estimated_throughput_fps));
    assert.ok(start.performance.max_cycles <= start.targetCycles, `the starting folding meets the build's own rate (${start.performance.max_cycles} cycles)`);
    const x = data.explorer!;
    for (const pos of [150, 900]) {
      const t0 = performance.now();
      await page.locator('#explore-slider').fill(String(pos)); // dispatches input; the page redraws synchronously
      const fps = round3(sliderToFps(pos, x.fpsMin, x.fpsMax, SLIDER_STEPS));
      const r = explore(x.skeleton, { fps, part: want.part, clockNs: want.clockNs, maxWeightWidth: 36, twoPass: false });
      const ms = performance.now() - t0;
      const cycles = await page.locator('#explore-cycles').innerHTML();
      assert.notEqual(cycles, cycles0, 'the cycles chart did not change');
      const shown = await page.locator('#explore-fps').innerText();
      assert.notEqual(shown, fps0, 'the frames/s figure did not change');
      const rows = await page.$$eval('#explore-table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 4).map((td) => td.textContent!.trim())));
      assert.deepEqual(rows, r.layers.map((l) => [l.name, String(l.pe ?? '–'), String(l.simd ?? '–'), l.cycles.toLocaleString('en-US')]), `folding at ${fps} frames/s`);
      assert.ok(ms < 2000, `redraw took ${ms} ms`);
    }
    // the part selector re-runs the resource model on another part
    await page.locator('#explore-part').selectOption('xcu250');
    assert.match(await page.locator('#explore-resources').innerHTML(), /xcu250/);
    await page.locator('#explore-reset').click();
    assert.equal(await page.locator('#explore-fps').innerText(), fps0);
    assert.deepEqual(problems, []);
  } finally {
    await browser?.close();
  }
}

test('TFC report.html in chromium: no console errors, no network, every chart drawn, the explorer redraws on the slider', { timeout: 300_000 }, async () => {
  const page0 = await tfcReport();
  await checkInBrowser(page0, { part: 'xc7z020', clockNs: 10, artifact: 'report-tfc.png' });
  // a target was given: the cycles chart draws its line
  const html = readFileSync(page0, 'utf8');
  assert.match(html, /class="target"/);
});

test('CNV report.html in chromium: conv layers in the pipeline, every chart drawn, the explorer works', { timeout: 600_000 }, async () => {
  const page0 = await cnvReport();
  // built from a hand-written folding file: the explorer starts at the build's frames/s and shows what SetFolding picks there

  const data = loadReportData(join(page0, '..'));
  const kinds = new Set(data.layers.map((l) => l.kind));
  for (const k of ['hw.ConvolutionInputGenerator', 'hw.MVAU', 'hw.StreamingMaxPool', 'hw.LabelSelect']) assert.ok(kinds.has(k as never), `no ${k} layer in the report (${[...kinds].join(', ')})`);
  await checkInBrowser(page0, { part: 'xc7z045', clockNs: 5, artifact: 'report-cnv.png' });
});

test('iCE40 report.html (finn-ts TFC example on ice40-up5k, FIFOs sized): pipeline labels never overlap, no console errors', { timeout: 600_000 }, async () => {
  const out = join(tempDir('report-browser-ice40'), 'ice');
  await build({
    model: join(ROOT, 'examples/tfc_w1a1.onnx'), out, part: 'ice40-up5k', clockNs: 25, targetFps: 'max', preprocess: 'auto', maxWeightWidth: 36,
    twoPassFolding: false, log: () => {}, verifyLimit: 8,
  });
  const data = loadReportData(out);
  let browser: Browser | null = null;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    const { page, problems } = await openPage(browser, join(out, 'report.html'));
    assert.equal(await page.locator('#pipeline g.layer').count(), data.layers.length);
    assert.ok(await page.locator('#pipeline g.fifo').count() > 0, 'the sized FIFOs are drawn');
    const ov = await pipelineOverlaps(page);
    assert.ok(ov.texts > data.layers.length * 4, `pipeline labels: ${ov.texts}`);
    assert.deepEqual(ov.overlaps, []);
    assert.deepEqual(problems, []);
  } finally {
    await browser?.close();
  }
});
