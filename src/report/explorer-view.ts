/** The folding explorer's results panel: rendered in Node for the first paint and by the page on every slider move. */
import type { Resources } from '../hw/layer.ts';
import { cyclesChart, kindColor, layerResourceChart, utilizationChart, type ResourceKey } from './charts.ts';
import type { ExploreResult } from './explore.ts';
import { esc, fmtInt, fmtNs, fmtPct, fmtSi } from './format.ts';
import type { ReportLayer } from './types.ts';
import { resourceWords } from './words.ts';

/** Resource kinds worth a row on a part: LUT (LC), FF, BRAM18 (EBR) and DSP always, URAM only where the part has some. */
export function resourceKeys(cap: Resources, used: readonly Resources[] = []): ResourceKey[] {
  return (['LUT', 'FF', 'BRAM_18K', 'URAM', 'DSP'] as const).filter((k) => k !== 'URAM' || cap.URAM > 0 || used.some((r) => r.URAM > 0));
}

/** Slider resolution (positions between the explorer's min and max frames/s). */
export const SLIDER_STEPS = 1000;

/** Slider position (0..steps) ↔ frames/s on a log scale between min and max. */
export function sliderToFps(pos: number, min: number, max: number, steps: number): number {
  return 10 ** (Math.log10(min) + (pos / steps) * (Math.log10(max) - Math.log10(min)));
}
export function fpsToSlider(fps: number, min: number, max: number, steps: number): number {
  return Math.round(((Math.log10(fps) - Math.log10(min)) / (Math.log10(max) - Math.log10(min))) * steps);
}

function tile(id: string, label: string, value: string, sub: string, cls = ''): string {
  return `<div class="tile${cls ? ` ${cls}` : ''}"><div class="tile-label">${esc(label)}</div><div class="tile-value" id="${id}">${esc(value)}</div><div class="tile-sub">${sub}</div></div>`;
}

/** Result tiles, cycles chart (with the built design as ticks), resources and the folding table. */
export function explorerBody(r: ExploreResult, built: readonly ReportLayer[], clockNs: number): string {
  const p = r.performance;
  const meets = p.max_cycles < r.targetCycles;
  const builtBy = new Map(built.map((l) => [l.name, l]));
  const w = resourceWords(r.part), lb = w.labels;
  const cap = w.capacity(r.part), total = w.show(r.total);
  const layers = r.layers.map((l) => ({ ...l, resources: w.show(l.resources) }));
  const keys = resourceKeys(cap, [total]);
  const util = (k: ResourceKey) => (cap[k] > 0 ? total[k] / cap[k] : total[k] > 0 ? Infinity : 0);
  const worstUtil = keys.reduce((b, k) => (util(k) > util(b) ? k : b), keys[0]!);
  const fits = keys.every((k) => util(k) <= 1);
  const out: string[] = [];
  out.push('<div class="tiles">');
  out.push(tile('explore-fps', 'Frames/s', `${fmtSi(p.estimated_throughput_fps)}`, meets
    ? `<span class="ok">✓ meets the target</span> of ${esc(fmtSi(r.fps))}`
    : `<span class="bad">✗ misses the target</span> of ${esc(fmtSi(r.fps))}: no legal folding of ${esc(p.max_cycles_node_name)} is faster`));
  out.push(tile('explore-latency', 'Latency', fmtNs(p.estimated_latency_ns), `${esc(fmtInt(p.critical_path_cycles))} cycles through all layers at ${esc(fmtSi(1000 / clockNs))} MHz`));
  out.push(tile('explore-bottleneck', 'Bottleneck', p.max_cycles_node_name, `${esc(fmtInt(p.max_cycles))} cycles/frame; every layer must stay below ${esc(fmtInt(r.targetCycles))}`, 'tile-name'));
  out.push(tile('explore-fit', `Fits on ${r.part.name}?`, fits ? `${fmtPct(util(worstUtil))} ${lb[worstUtil]}` : `no: ${fmtPct(util(worstUtil))} ${lb[worstUtil]}`,
    `${esc(fmtInt(total.LUT))} ${lb.LUT} · ${esc(fmtInt(total.BRAM_18K))} ${lb.BRAM_18K} · ${esc(fmtInt(total.DSP))} DSP`, fits ? '' : 'tile-bad'));
  out.push('</div>');
  out.push('<div class="grid2">');
  out.push(`<div><h3>Cycles per frame <span class="legend"><i class="sw" style="background:#60a5fa"></i>explored <i class="sw tick"></i>as built</span></h3><div id="explore-cycles" class="chart-box">${cyclesChart(
    r.layers.map((l) => ({ name: l.name, cycles: l.cycles, ...(builtBy.has(l.name) ? { ghost: builtBy.get(l.name)!.cycles } : {}) })),
    { target: r.targetCycles, targetLabel: `target: below ${fmtInt(r.targetCycles)} cycles`, chart: 'explore-cycles', width: 560 },
  )}</div></div>`);
  out.push(`<div><h3>Resources on ${esc(r.part.name)}</h3><div id="explore-resources" class="chart-box">${utilizationChart(
    layers.map((l) => ({ name: l.name, kind: l.kind, resources: l.resources })),
    { keys, capacity: cap, partName: r.part.name, chart: 'explore-utilization', width: 560, labels: lb },
  )}${layerResourceChart(layers.map((l) => ({ name: l.name, kind: l.kind, resources: l.resources })), 'LUT', { width: 560, chart: 'explore-lut', labels: lb })}</div></div>`);
  out.push('</div>');
  out.push(`<table class="fold-table" id="explore-table"><thead><tr><th>Layer</th><th>PE</th><th>SIMD</th><th>cycles</th><th>${lb.LUT}</th><th>${lb.BRAM_18K}</th><th>DSP</th><th>vs. build</th></tr></thead><tbody>`);
  for (const l of layers) {
    const b = builtBy.get(l.name);
    const changed = b && (b.pe !== l.pe || b.simd !== l.simd);
    const diff = !b ? '' : changed ? `was ${[b.pe !== null ? `PE ${b.pe}` : '', b.simd !== null ? `SIMD ${b.simd}` : ''].filter(Boolean).join(' × ')}` : 'same';
    out.push(`<tr class="${changed ? 'changed' : ''}${l.name === p.max_cycles_node_name ? ' worst' : ''}"><td><i class="dot" style="background:${kindColor(l.kind)}"></i>${esc(l.name)}</td><td>${l.pe ?? '–'}</td><td>${l.simd ?? '–'}</td><td>${fmtInt(l.cycles)}</td><td>${fmtInt(l.resources.LUT)}</td><td>${fmtInt(l.resources.BRAM_18K)}</td><td>${fmtInt(l.resources.DSP)}</td><td class="muted">${esc(diff)}</td></tr>`);
  }
  out.push('</tbody></table>');
  return out.join('');
}
