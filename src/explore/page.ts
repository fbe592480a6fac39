/**
 * explore.html: the exploration on one self-contained page (the report's stylesheet and formatting, a CSP forbidding
 * network, no script): accuracy against estimated LUTs and against frames/s as hand-written SVG scatter plots with
 * the Pareto front drawn as a line through its points, points that do not fit the part in a band of their own, and a
 * table. Every point links to its build's report.html. Pure: the same explore.json gives the same bytes.
 */
import { COLORS, niceTicks, textWidth } from '../report/charts.ts';
import { esc, fmtInt, fmtSi } from '../report/format.ts';
import { CSS } from '../report/style.ts';
import type { ExploreJson, ExplorePoint } from './merge.ts';

const PRECISION_COLORS = ['#2563eb', '#059669', '#d97706', '#dc2626', '#7c3aed', '#0891b2', '#be185d', '#4d7c0f'];
const r1 = (v: number): string => String(Math.round(v * 10) / 10);

/** Ticks of a log axis between lo and hi: 1, 2, 5 × 10^k (only powers of ten over wide ranges). */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  const span = Math.log10(hi / lo);
  const mult = span > 3 ? [1] : span > 1.2 ? [1, 2, 5] : [1, 1.5, 2, 3, 5, 7];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of mult) { const v = m * 10 ** e; if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v); }
  }
  return out;
}

export interface ScatterPoint {
  readonly x: number | null;
  readonly y: number;
  readonly label: string;
  readonly color: string;
  /** Marker radius (grows with the width multiplier). */
  readonly r: number;
  readonly front: boolean;
  readonly href: string;
  readonly title: string;
}

/** Accuracy (%) against a log-scaled hardware figure; x = null: the point does not fit (drawn in the right band). */
export function scatterChart(pts: readonly ScatterPoint[], o: { chart: string; xLabel: string; frontNote: string; width?: number }): string {
  const W = o.width ?? 560, H = 380;
  const left = 54, top = 26, bottom = 46;
  const fits = pts.filter((p) => p.x !== null && p.x > 0);
  const band = pts.some((p) => p.x === null) ? 78 : 0;
  const right = 16 + band;
  const plotW = W - left - right, plotH = H - top - bottom;
  const xs = fits.map((p) => p.x!);
  const lo = xs.length ? Math.min(...xs) / 1.35 : 1, hi = xs.length ? Math.max(...xs) * 1.35 : 10;
  const ys = pts.map((p) => 100 * p.y);
  const yLo = Math.max(0, Math.floor(Math.min(...ys, 100) - 1)), yHiRaw = Math.min(100, Math.max(...ys, 0) + 1);
  const { step } = niceTicks(Math.max(yHiRaw - yLo, 1), 5);
  const y0 = Math.floor(yLo / step) * step, y1 = Math.min(100, Math.ceil(yHiRaw / step) * step);
  const sx = (v: number): number => left + (Math.log10(v / lo) / Math.log10(hi / lo)) * plotW;
  const sy = (v: number): number => top + plotH - ((100 * v - y0) / Math.max(y1 - y0, 1e-9)) * plotH;
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="${esc(o.chart)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(`accuracy against ${o.xLabel}`)}">`];
  for (const v of logTicks(lo, hi)) {
    out.push(`<line x1="${r1(sx(v))}" x2="${r1(sx(v))}" y1="${top}" y2="${top + plotH}" stroke="${COLORS.grid}"/>`);
    out.push(`<text x="${r1(sx(v))}" y="${top + plotH + 16}" text-anchor="middle" class="tick">${esc(fmtSi(v))}</text>`);
  }
  for (let v = y0; v <= y1 + 1e-9; v += step) {
    const y = top + plotH - ((v - y0) / Math.max(y1 - y0, 1e-9)) * plotH;
    out.push(`<line x1="${left}" x2="${left + plotW}" y1="${r1(y)}" y2="${r1(y)}" stroke="${COLORS.grid}"/>`);
    out.push(`<text x="${left - 6}" y="${r1(y + 4)}" text-anchor="end" class="tick">${esc(`${Math.round(v * 10) / 10}`)}</text>`);
  }
  out.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="${COLORS.axis}"/><line x1="${left}" x2="${left + plotW}" y1="${top + plotH}" y2="${top + plotH}" stroke="${COLORS.axis}"/>`);
  out.push(`<text x="${r1(left + plotW / 2)}" y="${H - 8}" text-anchor="middle" class="label">${esc(`${o.xLabel} (log scale)`)}</text>`);
  out.push(`<text x="14" y="${r1(top + plotH / 2)}" text-anchor="middle" class="label" transform="rotate(-90 14 ${r1(top + plotH / 2)})">top-1 accuracy (%)</text>`);
  if (band) {
    const bx = left + plotW + 12;
    out.push(`<rect class="infeasible-band" x="${bx}" y="${top}" width="${band - 16}" height="${plotH}" rx="6" fill="#fef2f2" stroke="#fecaca"/>`);
    out.push(`<text x="${r1(bx + (band - 16) / 2)}" y="${top - 8}" text-anchor="middle" class="tiny" fill="${COLORS.target}">does not fit</text>`);
  }
  // the front: a line through its points in x order
  const front = fits.filter((p) => p.front).sort((a, b) => a.x! - b.x!);
  if (front.length > 1) out.push(`<path class="front-line" d="${front.map((p, i) => `${i ? 'L' : 'M'}${r1(sx(p.x!))},${r1(sy(p.y))}`).join(' ')}" fill="none" stroke="${COLORS.bottleneck}" stroke-width="2" stroke-dasharray="6 4"/>`);
  for (const p of pts) {
    const cx = p.x === null ? left + plotW + 12 + (band - 16) / 2 : sx(p.x), cy = sy(p.y);
    out.push(`<a href="${esc(p.href)}" class="point${p.front ? ' front' : ''}${p.x === null ? ' infeasible' : ''}"><title>${esc(p.title)}</title>`);
    if (p.x === null) {
      const d = p.r * 0.8;
      out.push(`<path d="M${r1(cx - d)},${r1(cy - d)} L${r1(cx + d)},${r1(cy + d)} M${r1(cx - d)},${r1(cy + d)} L${r1(cx + d)},${r1(cy - d)}" stroke="${p.color}" stroke-width="2.5"/>`);
    } else {
      if (p.front) out.push(`<circle cx="${r1(cx)}" cy="${r1(cy)}" r="${r1(p.r + 4)}" fill="none" stroke="${COLORS.bottleneck}" stroke-width="2"/>`);
      out.push(`<circle cx="${r1(cx)}" cy="${r1(cy)}" r="${r1(p.r)}" fill="${p.color}" fill-opacity="0.85" stroke="#fff" stroke-width="1"/>`);
    }
    const lx = cx + p.r + 5;
    const anchor = lx + textWidth(p.label, 10) > W - 2 ? 'end' : 'start';
    out.push(`<text x="${r1(anchor === 'end' ? cx - p.r - 5 : lx)}" y="${r1(cy + 3.5)}" text-anchor="${anchor}" class="tiny muted">${esc(p.label)}</text></a>`);
  }
  out.push(`<text x="${left + 4}" y="${top - 10}" class="tiny" fill="${COLORS.bottleneck}">${esc(`dashed: Pareto front (${o.frontNote})`)}</text>`);
  out.push('</svg>');
  return out.join('');
}

const pct = (v: number): string => `${(100 * v).toFixed(2)} %`;

function pointTitle(p: ExplorePoint): string {
  const e = p.estimate;
  return `${p.label} (${p.sizes.join('-')}): ${pct(p.accuracy.top1)} on ${fmtInt(p.accuracy.images)} test images`
    + (e ? `; ${fmtInt(e.LUT)} LUT, ${fmtInt(e.BRAM_18K)} BRAM18, ${fmtSi(e.fps)} frames/s (${fmtInt(e.cycles)} cycles/frame)` : `; does not fit: ${p.reason ?? ''}`);
}

function scatterPoints(points: readonly ExplorePoint[], x: (p: ExplorePoint) => number | null, front: (p: ExplorePoint) => boolean, precisions: readonly string[]): ScatterPoint[] {
  const widths = [...new Set(points.map((p) => p.width))].sort((a, b) => a - b);
  return points.map((p) => ({
    x: x(p), y: p.accuracy.top1, label: p.label, front: front(p), href: p.report, title: pointTitle(p),
    color: PRECISION_COLORS[precisions.indexOf(`W${p.wbits}A${p.abits}`) % PRECISION_COLORS.length]!,
    r: 4 + 2.5 * widths.indexOf(p.width),
  }));
}

function table(j: ExploreJson): string {
  const rows = j.points.map((p) => {
    if (p.status === 'failed') return `<tr class="failed"><td>${esc(p.label)}</td><td colspan="9" class="bad">failed: ${esc(p.error)}</td></tr>`;
    const e = p.estimate;
    const front = [p.pareto.lut ? 'LUT' : '', p.pareto.fps ? 'frames/s' : ''].filter(Boolean).join(', ');
    return `<tr data-key="${esc(p.key)}"${front ? ' class="front"' : ''}><td><a href="${esc(p.report)}">${esc(p.label)}</a></td><td>${esc(p.sizes.join('-'))}</td><td>${esc(pct(p.accuracy.top1))}</td>`
      + `<td>${p.rtl ? `${esc(pct(p.rtl.top1))} <span class="muted" title="${esc(`${fmtInt(p.rtl.images)} images through the stitched RTL; ${fmtInt(p.rtl.mismatches)} classes differ from the reference executor's`)}">(${fmtInt(p.rtl.images)}, ${p.rtl.mismatches === 0 ? '= ref.' : `<span class="bad">${fmtInt(p.rtl.mismatches)} ≠ ref.</span>`})</span>` : '–'}</td>`
      + (e ? `<td>${esc(fmtInt(e.LUT))}</td><td>${esc(fmtInt(e.BRAM_18K))}</td><td>${esc(fmtSi(e.fps))}</td><td>${esc(fmtInt(e.cycles))}</td><td>${p.synth ? esc(fmtInt(p.synth.LUT)) : '–'}</td>`
        : `<td colspan="5" class="bad" title="${esc(p.reason ?? '')}">does not fit the part</td>`)
      + `<td>${front ? `<b>${esc(front)}</b>` : ''}</td></tr>`;
  }).join('');
  return `<div class="table-scroll"><table id="points"><thead><tr><th>point</th><th>layers</th><th>accuracy</th><th title="accuracy of the stitched RTL on the first test images (count), compared class by class with the reference executor">RTL sample</th><th>LUT est.</th><th>BRAM18</th><th>frames/s</th><th>cycles</th><th>LUT synth</th><th>Pareto</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

export function renderExplorePage(j: ExploreJson): string {
  const s = j.settings as { topology: string; precisions: string[]; widths: number[]; build: { part: string; targetFps: number | 'max'; clockNs: number }; train: { epochs: number; dataset: string }; eval: { testDataset: string } };
  const pts = j.points.filter((p): p is ExplorePoint => p.status !== 'failed');
  const lut = scatterChart(scatterPoints(pts, (p) => p.estimate?.LUT ?? null, (p) => p.pareto.lut, s.precisions), { chart: 'accuracy-lut', xLabel: 'LUT (estimate)', frontNote: 'fewer LUTs, higher accuracy' });
  const fps = scatterChart(scatterPoints(pts, (p) => p.estimate?.fps ?? null, (p) => p.pareto.fps, s.precisions), { chart: 'accuracy-fps', xLabel: 'frames/s (estimate)', frontNote: 'more frames/s, higher accuracy' });
  const legend = s.precisions.map((p, i) => `<span class="chip-l"><i style="background:${PRECISION_COLORS[i % PRECISION_COLORS.length]}"></i>${esc(p)}</span>`).join('')
    + `<span class="chip-l muted">marker size: width ×${s.widths.map(String).join(', ×')}</span>`;
  const target = s.build.targetFps === 'max' ? `the fastest folding that fits ${s.build.part}` : `a target of ${fmtSi(s.build.targetFps)} frames/s`;
  const title = `${s.topology.toUpperCase()} exploration`;
  const csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";
  const css = `${CSS}
.charts { display:grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 18px; }
.legend { display:flex; flex-wrap:wrap; gap: 14px; margin: 4px 0 12px; font-size: 12.5px; }
.chip-l { display:inline-flex; align-items:center; gap:6px; } .chip-l i { width:11px; height:11px; border-radius:50%; display:inline-block; }
svg.chart a.point:hover circle { stroke: #0f172a; stroke-width: 2; }
#points tr.front td:first-child a { font-weight: 700; }`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="generator" content="finn-ts explore">
<title>${esc(title)} · finn-ts</title>
<style>${css}</style></head>
<body>
<header class="top"><div class="wrap"><div class="eyebrow">finn-ts design-space exploration</div><h1>${esc(title)}</h1><div class="chips">`
    + `<span class="chip">${esc(s.precisions.join(', '))}</span><span class="chip">widths ×${esc(s.widths.join(', ×'))}</span><span class="chip">${esc(s.build.part)} · ${esc(fmtSi(1000 / s.build.clockNs))} MHz</span>`
    + `<span class="chip">${j.summary.feasible} fit · ${j.summary.infeasible} do not fit${j.summary.failed ? ` · ${j.summary.failed} failed` : ''}</span></div></div></header>
<main class="wrap">
<section class="card" id="sec-front"><h2>Accuracy against hardware</h2><p class="lede">Each point is ${esc(s.topology.toUpperCase())} trained for ${esc(String(s.train.epochs))} epoch${s.train.epochs === 1 ? '' : 's'} on ${esc(s.train.dataset)} at one precision and width, compiled with ${esc(target)}; accuracy is the compiled hardware graph on ${esc(s.eval.testDataset)} through the reference executor. Click a point for its build report.</p>
<div class="legend">${legend}</div>
<div class="charts"><div class="chart-box">${lut}</div><div class="chart-box">${fps}</div></div></section>
<section class="card" id="sec-points"><h2>Points</h2><p class="lede">Pareto-optimal for LUTs: ${esc(j.pareto.lut.join(', ') || 'none')}. For frames/s: ${esc(j.pareto.fps.join(', ') || 'none')}.</p>${table(j)}</section>
</main>
<footer class="wrap">Written by <code>finn explore</code> from explore.json; self-contained — no network needed. LUT and frames/s are finn-ts's estimates (FINN's cost models).</footer>
</body></html>
`;
}
