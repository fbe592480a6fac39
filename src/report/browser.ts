/**
 * The page's script (bundled by esbuild into report.html): the folding explorer. Every input re-runs the compiler's
 * SetFolding and cost model (explore.ts → src/passes/fold, src/hw, src/cost) and redraws with the same chart code.
 */
import { explore } from './explore.ts';
import { SLIDER_STEPS, explorerBody, fpsToSlider, sliderToFps } from './explorer-view.ts';
import { esc, fmtInt, fmtSi, round3 } from './format.ts';
import type { ReportData } from './types.ts';

/** The few DOM members used here (the project compiles without the DOM library). */
interface El {
  innerHTML: string;
  value: string;
  addEventListener(type: string, f: () => void): void;
}
interface Doc {
  getElementById(id: string): El | null;
  readyState: string;
  addEventListener(type: string, f: () => void): void;
}

function start(doc: Doc): void {
  const dataEl = doc.getElementById('finn-report-data');
  const slider = doc.getElementById('explore-slider');
  const body = doc.getElementById('explore-body');
  const label = doc.getElementById('explore-target');
  const partSel = doc.getElementById('explore-part');
  const wmax = doc.getElementById('explore-wmax');
  const reset = doc.getElementById('explore-reset');
  if (!dataEl || !slider || !body || !label || !partSel || !wmax) return;
  const d = JSON.parse(dataEl.innerHTML) as ReportData;
  const x = d.explorer;
  if (!x) return;
  const s = d.settings;
  // the slider's start position shows the exact start value; any move snaps to 3 significant digits
  let fps = x.fpsStart;

  const redraw = (): void => {
    const w = Number(wmax.value);
    const r = explore(x.skeleton, { fps, part: partSel.value, clockNs: s.clockNs, maxWeightWidth: Number.isFinite(w) && w >= 1 ? Math.floor(w) : s.maxWeightWidth, twoPass: s.twoPass });
    label.innerHTML = `<b>${esc(fmtSi(fps))}</b> frames/s → every layer below ${esc(fmtInt(r.targetCycles))} cycles`;
    body.innerHTML = explorerBody(r, d.layers, s.clockNs);
  };
  slider.addEventListener('input', () => {
    fps = round3(sliderToFps(Number(slider.value), x.fpsMin, x.fpsMax, SLIDER_STEPS));
    redraw();
  });
  partSel.addEventListener('change', redraw);
  wmax.addEventListener('input', redraw);
  reset?.addEventListener('click', () => {
    fps = x.fpsStart;
    slider.value = String(fpsToSlider(fps, x.fpsMin, x.fpsMax, SLIDER_STEPS));
    partSel.value = s.part;
    wmax.value = String(s.maxWeightWidth);
    redraw();
  });
}

const doc = (globalThis as unknown as { document?: Doc }).document;
if (doc) {
  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', () => start(doc));
  else start(doc);
}
