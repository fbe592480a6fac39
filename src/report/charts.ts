/**
 * Hand-written SVG charts for report.html. Pure functions from data to markup: Node renders the page with them and
 * the page's script calls the same functions to redraw the folding explorer. Every string from a model is escaped.
 */
import { HW_LAYERS } from '../hw/registry.ts';
import type { Resources } from '../hw/layer.ts';
import { esc, fmtInt, fmtPct, fmtSi } from './format.ts';
import type { ReportLayer, ReportLink } from './types.ts';
import { XILINX_LABELS, type ResourceKey } from './words.ts';

export const COLORS = {
  bar: '#60a5fa',
  bottleneck: '#f97316',
  target: '#dc2626',
  measured: '#059669',
  ghost: '#0f172a',
  grid: '#e2e8f0',
  axis: '#94a3b8',
  text: '#0f172a',
  muted: '#64748b',
  fifo: '#475569',
  dwc: '#d97706',
  synth: '#0f172a',
} as const;

/** Colour of a layer kind (pipeline boxes, resource segments, legends): the layer's own, from the registry. */
export function kindColor(kind: string): string {
  return HW_LAYERS.find((l) => l.kind === kind)?.color ?? '#64748b';
}

/** Rough width of text in px (system sans-serif); used only to lay out labels. */
export function textWidth(s: string, px = 12): number {
  let w = 0;
  for (const ch of s) w += /[A-Z0-9_%]/.test(ch) ? 0.64 : /[ilj.,:;|!' ]/.test(ch) ? 0.3 : /[mw→×]/.test(ch) ? 0.85 : 0.55;
  return w * px;
}

/** Shorten a label to fit a width, with an ellipsis. */
export function fit(s: string, maxPx: number, px = 12): string {
  if (textWidth(s, px) <= maxPx) return s;
  let t = s;
  while (t.length > 1 && textWidth(`${t}…`, px) > maxPx) t = t.slice(0, -1);
  return `${t}…`;
}

const r1 = (v: number): string => String(Math.round(v * 10) / 10);

function svgOpen(w: number, h: number, chart: string, label: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="${chart}" viewBox="0 0 ${r1(w)} ${r1(h)}" width="${r1(w)}" height="${r1(h)}" role="img" aria-label="${esc(label)}">`;
}

function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${r1(x)}" y="${r1(y)}"${attrs ? ` ${attrs}` : ''}>${esc(s)}</text>`;
}

/** Round axis maximum and tick step (1, 2, 5 × 10^k) for a data maximum. */
export function niceTicks(max: number, count = 5): { max: number; step: number } {
  if (!(max > 0)) return { max: 1, step: 1 };
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  return { max: Math.ceil(max / step - 1e-9) * step, step };
}

export interface CycleRow {
  readonly name: string;
  readonly cycles: number;
  /** The built design's cycles for this layer (drawn as a tick in the explorer). */
  readonly ghost?: number;
  readonly title?: string;
}

export interface CyclesOptions {
  readonly width?: number;
  /** Every layer should stay below this many cycles (the folding target). */
  readonly target?: number | null;
  readonly targetLabel?: string;
  /** Cycles per frame measured in RTL simulation. */
  readonly measured?: number | null;
  readonly chart?: string;
}

/** Horizontal bars of cycles per frame, the slowest layer (the bottleneck) highlighted, target and measured lines. */
export function cyclesChart(rows: readonly CycleRow[], o: CyclesOptions = {}): string {
  const W = o.width ?? 760;
  const rowH = 28, barH = 18;
  const top = o.target ? 30 : 12, bottom = 28 + (o.measured ? 18 : 0);
  const labelW = Math.min(200, Math.max(80, ...rows.map((r) => textWidth(r.name, 13.5) + 16)));
  const right = Math.max(60, ...rows.map((r) => textWidth(`${fmtInt(r.cycles)} · bottleneck`, 13) + 10));
  const plotW = W - labelW - right;
  const H = top + rows.length * rowH + bottom;
  const maxVal = Math.max(1, ...rows.map((r) => Math.max(r.cycles, r.ghost ?? 0)), o.target ?? 0, o.measured ?? 0);
  const { max, step } = niceTicks(maxVal);
  const x = (v: number): number => labelW + (v / max) * plotW;
  const worst = rows.reduce((b, r, i) => (r.cycles > rows[b]!.cycles ? i : b), 0);
  const out: string[] = [svgOpen(W, H, o.chart ?? 'cycles', 'cycles per frame for each layer')];
  const yEnd = top + rows.length * rowH;
  for (let v = 0; v <= max + 1e-9; v += step) {
    out.push(`<line x1="${r1(x(v))}" x2="${r1(x(v))}" y1="${top - 4}" y2="${yEnd}" stroke="${COLORS.grid}"/>`);
    out.push(text(x(v), yEnd + 16, fmtSi(v), `text-anchor="middle" class="tick"`));
  }
  rows.forEach((r, i) => {
    const y = top + i * rowH + (rowH - barH) / 2;
    const isWorst = i === worst && rows.length > 0;
    const fill = isWorst ? COLORS.bottleneck : COLORS.bar;
    const tip = r.title ?? `${r.name}: ${fmtInt(r.cycles)} cycles per frame${isWorst ? ' (bottleneck)' : ''}`;
    out.push(`<g class="row${isWorst ? ' worst' : ''}"><title>${esc(tip)}</title>`);
    out.push(text(labelW - 10, y + barH / 2 + 4, fit(r.name, labelW - 14), `text-anchor="end" class="label${isWorst ? ' strong' : ''}"`));
    out.push(`<rect x="${labelW}" y="${r1(y)}" width="${r1(Math.max(1.5, x(r.cycles) - labelW))}" height="${barH}" rx="3" fill="${fill}"/>`);
    if (r.ghost !== undefined) {
      out.push(`<line class="ghost" x1="${r1(x(r.ghost))}" x2="${r1(x(r.ghost))}" y1="${r1(y - 3)}" y2="${r1(y + barH + 3)}" stroke="${COLORS.ghost}" stroke-width="2"/>`);
    }
    out.push(text(x(r.cycles) + 6, y + barH / 2 + 4, isWorst && rows.length > 1 ? `${fmtInt(r.cycles)} · bottleneck` : fmtInt(r.cycles), `class="value${isWorst ? ' strong' : ''}"${isWorst ? ` fill="${COLORS.bottleneck}"` : ''}`));
    out.push('</g>');
  });
  out.push(`<line x1="${labelW}" x2="${labelW}" y1="${top - 4}" y2="${yEnd}" stroke="${COLORS.axis}"/>`);
  if (o.target) {
    const tx = x(o.target);
    out.push(`<g class="target"><line x1="${r1(tx)}" x2="${r1(tx)}" y1="${top - 8}" y2="${yEnd}" stroke="${COLORS.target}" stroke-width="2" stroke-dasharray="5 4"/>`);
    const label = o.targetLabel ?? `target: below ${fmtInt(o.target)} cycles`;
    const anchor = tx + textWidth(label, 11) / 2 > W - 4 ? 'end' : tx - textWidth(label, 11) / 2 < 4 ? 'start' : 'middle';
    out.push(text(anchor === 'end' ? tx + 4 : tx, top - 14, label, `text-anchor="${anchor}" class="note" fill="${COLORS.target}"`), '</g>');
  }
  if (o.measured) {
    const mx = x(o.measured);
    out.push(`<g class="measured"><line x1="${r1(mx)}" x2="${r1(mx)}" y1="${top - 4}" y2="${yEnd + 2}" stroke="${COLORS.measured}" stroke-width="2" stroke-dasharray="2 3"/>`);
    const label = `measured in RTL simulation: ${fmtInt(o.measured)} cycles/frame`;
    const anchor = mx + textWidth(label, 11) > W - 4 ? 'end' : 'start';
    out.push(text(anchor === 'end' ? mx - 6 : mx + 6, yEnd + 34, label, `text-anchor="${anchor}" class="note" fill="${COLORS.measured}"`), '</g>');
  }
  out.push('</svg>');
  return out.join('');
}

export type { ResourceKey };
type Labels = Readonly<Record<ResourceKey, string>>;

export interface UsageLayer {
  readonly name: string;
  readonly kind: string;
  readonly resources: Resources;
}

export interface UtilizationOptions {
  readonly keys: readonly ResourceKey[];
  readonly capacity: Resources;
  readonly partName: string;
  readonly width?: number;
  /** Post-synthesis totals, drawn as a second bar under each estimate. */
  readonly synth?: Resources | null;
  readonly chart?: string;
  /** The part family's resource names (default Xilinx: LUT, BRAM18). */
  readonly labels?: Labels;
}

/**
 * Resource use against the part's capacity: one track per resource whose full length is the part; the estimate is
 * stacked by layer (colours by layer kind); the synthesized total, when known, is a dark bar beneath.
 */
export function utilizationChart(layers: readonly UsageLayer[], o: UtilizationOptions): string {
  const W = o.width ?? 760;
  const labelW = 70, right = Math.min(210, Math.round(W * 0.3));
  const plotW = W - labelW - right;
  const trackH = 16, synthH = 7;
  const rowH = o.synth ? 46 : 34;
  const H = 8 + o.keys.length * rowH + 4;
  const out: string[] = [svgOpen(W, H, o.chart ?? 'utilization', `resource use on ${o.partName}`)];
  const RESOURCE_LABELS = o.labels ?? XILINX_LABELS;
  o.keys.forEach((k, i) => {
    const cap = o.capacity[k];
    const total = layers.reduce((s, l) => s + l.resources[k], 0);
    const synth = o.synth ? o.synth[k] : null;
    const domain = Math.max(cap, total, synth ?? 0, 1);
    const sx = (v: number): number => (v / domain) * plotW;
    const y = 8 + i * rowH;
    out.push(`<g class="util-row"><title>${esc(`${RESOURCE_LABELS[k]}: ${fmtInt(total)} estimated${synth !== null ? `, ${fmtInt(synth)} synthesized` : ''} of ${fmtInt(cap)} on ${o.partName}`)}</title>`);
    out.push(text(labelW - 10, y + trackH / 2 + 4, RESOURCE_LABELS[k], 'text-anchor="end" class="label strong"'));
    out.push(`<rect x="${labelW}" y="${y}" width="${r1(sx(cap))}" height="${trackH}" rx="4" fill="#f1f5f9" stroke="#cbd5e1"/>`);
    let acc = 0;
    for (const l of layers) {
      const v = l.resources[k];
      if (v <= 0) continue;
      const w = sx(v);
      out.push(`<rect x="${r1(labelW + sx(acc))}" y="${y + 1}" width="${r1(Math.max(w, 0.8))}" height="${trackH - 2}" fill="${kindColor(l.kind)}" stroke="#fff" stroke-width="${w > 3 ? 1 : 0}"><title>${esc(`${l.name}: ${fmtInt(v)} ${RESOURCE_LABELS[k]}`)}</title></rect>`);
      acc += v;
    }
    if (total > cap) out.push(`<line x1="${r1(labelW + sx(cap))}" x2="${r1(labelW + sx(cap))}" y1="${y - 3}" y2="${y + trackH + 3}" stroke="${COLORS.target}" stroke-width="2"/>`);
    const pct = cap > 0 ? total / cap : total > 0 ? Infinity : 0;
    const over = pct > 1;
    out.push(text(W - right + 10, y + trackH / 2 + 4, `${fmtInt(total)} / ${fmtInt(cap)}`, 'class="value"'));
    out.push(text(W - 4, y + trackH / 2 + 4, cap > 0 || total > 0 ? fmtPct(pct) : 'none on part', `text-anchor="end" class="value strong"${over ? ` fill="${COLORS.target}"` : ''}`));
    if (synth !== null) {
      const sy = y + trackH + 4;
      out.push(`<rect x="${labelW}" y="${sy}" width="${r1(Math.max(sx(synth), synth > 0 ? 0.8 : 0))}" height="${synthH}" rx="2" fill="${COLORS.synth}"/>`);
      out.push(text(W - right + 10, sy + synthH, `synthesized ${fmtInt(synth)}`, 'class="note"'));
      out.push(text(W - 4, sy + synthH, cap > 0 ? fmtPct(synth / cap) : '', 'text-anchor="end" class="note"'));
    }
    out.push('</g>');
  });
  out.push('</svg>');
  return out.join('');
}

/** One small panel per resource: bars per layer, estimate (layer colour) and synthesized (dark, beneath) when known. */
export function layerResourceChart(layers: readonly (UsageLayer & { synth?: Resources | null })[], k: ResourceKey, o: { width?: number; chart?: string; labels?: Labels } = {}): string {
  const W = o.width ?? 360;
  const RESOURCE_LABELS = o.labels ?? XILINX_LABELS;
  const hasSynth = layers.some((l) => l.synth);
  const rowH = hasSynth ? 30 : 24, barH = hasSynth ? 13 : 15;
  const labelW = Math.min(120, Math.max(70, ...layers.map((l) => textWidth(l.name, 11) + 12)));
  const right = 64;
  const plotW = W - labelW - right;
  const top = 26;
  const H = top + layers.length * rowH + 6;
  const maxV = Math.max(...layers.map((l) => Math.max(l.resources[k], l.synth?.[k] ?? 0)), 0);
  const out: string[] = [svgOpen(W, H, o.chart ?? `layer-${k}`, `${RESOURCE_LABELS[k]} per layer`)];
  out.push(text(0, 14, `${RESOURCE_LABELS[k]} per layer`, 'class="label strong"'));
  if (maxV === 0) out.push(text(W - 2, 14, 'none used', 'text-anchor="end" class="note"'));
  const sx = (v: number): number => (maxV > 0 ? (v / maxV) * plotW : 0);
  layers.forEach((l, i) => {
    const y = top + i * rowH;
    const est = l.resources[k], syn = l.synth ? l.synth[k] : null;
    out.push(`<g><title>${esc(`${l.name}: ${fmtInt(est)} ${RESOURCE_LABELS[k]} estimated${syn !== null ? `, ${fmtInt(syn)} synthesized` : ''}`)}</title>`);
    out.push(text(labelW - 8, y + barH / 2 + 4, fit(l.name, labelW - 10, 11), 'text-anchor="end" class="small"'));
    out.push(`<rect x="${labelW}" y="${y}" width="${r1(est > 0 ? Math.max(1.5, sx(est)) : 0)}" height="${barH}" rx="2" fill="${kindColor(l.kind)}"/>`);
    out.push(text(labelW + sx(est) + 5, y + barH / 2 + 4, fmtInt(est), 'class="small"'));
    if (syn !== null) {
      out.push(`<rect x="${labelW}" y="${y + barH + 2}" width="${r1(syn > 0 ? Math.max(1.5, sx(syn)) : 0)}" height="7" rx="2" fill="${COLORS.synth}"/>`);
      out.push(text(labelW + sx(syn) + 5, y + barH + 9, fmtInt(syn), 'class="tiny"'));
    }
    out.push('</g>');
  });
  out.push(`<line x1="${labelW}" x2="${labelW}" y1="${top - 4}" y2="${H - 6}" stroke="${COLORS.axis}"/>`);
  out.push('</svg>');
  return out.join('');
}

export interface PipelineOptions {
  readonly io: { readonly inWidth: number; readonly outWidth: number; readonly inType: string; readonly outType: string } | null;
  readonly width?: number;
  readonly labels?: Labels;
}

/**
 * The dataflow pipeline: one box per layer (name, size, PE/SIMD, cycles with a bar relative to the slowest, LUT/BRAM),
 * streams between them with their widths, width converters and FIFOs; rows wrap and are balanced.
 */
export function pipelineDiagram(layers: readonly ReportLayer[], links: readonly ReportLink[], o: PipelineOptions): string {
  const W = o.width ?? (layers.length > 6 ? 1260 : 1100);
  const lb = o.labels ?? XILINX_LABELS;
  const boxW = 166, boxH = 118, gap = 118, rowGap = 70, top = 26;
  const n = layers.length;
  const kMax = Math.max(1, Math.floor((W - gap) / (boxW + gap)));
  const rows = Math.max(1, Math.ceil(n / kMax));
  const k = Math.max(1, Math.ceil(n / rows));
  const rowW = k * boxW + (k + 1) * gap;
  const H = top + rows * boxH + (rows - 1) * rowGap + 30;
  const maxCycles = Math.max(1, ...layers.map((l) => l.cycles));
  const worst = layers.reduce((b, l, i) => (l.cycles > layers[b]!.cycles ? i : b), 0);
  const pos = (i: number) => {
    const r = Math.floor(i / k), c = i % k;
    return { x: gap + c * (boxW + gap), y: top + r * (boxH + rowGap), r, c };
  };
  const out: string[] = [svgOpen(rowW, H, 'pipeline', 'dataflow pipeline of the hardware layers')];
  out.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#64748b"/></marker></defs>');

  // streams first (boxes are drawn over them)
  const stroke = 'stroke="#94a3b8" stroke-width="2" fill="none"';
  if (o.io && n > 0) {
    const p = pos(0), cy = p.y + boxH / 2;
    out.push(`<path d="M${p.x - gap + 30},${cy} H${p.x - 2}" ${stroke} marker-end="url(#arrow)"/>`);
    out.push(terminal(p.x - gap + 8, cy, 'in', `${o.io.inWidth} b`, o.io.inType));
  }
  for (let i = 0; i + 1 < n; i++) {
    const a = pos(i), b = pos(i + 1);
    const link = links.find((l) => l.from === i && l.to === i + 1);
    if (!link) continue;
    const width = layers[i + 1]!.inWidth;
    if (a.r === b.r) {
      const cy = a.y + boxH / 2;
      out.push(`<path d="M${a.x + boxW},${cy} H${b.x - 2}" ${stroke} marker-end="url(#arrow)"/>`);
      out.push(linkMarkers(a.x + boxW, b.x, cy, link, layers[i]!.outWidth, width));
    } else {
      const ax = a.x + boxW, ay = a.y + boxH / 2, midY = a.y + boxH + rowGap / 2, bx = b.x, by = b.y + boxH / 2;
      const turnR = ax + gap / 2, turnL = bx - gap / 2;
      out.push(`<path d="M${ax},${ay} H${turnR} V${midY} H${turnL} V${by} H${bx - 2}" ${stroke} stroke-linejoin="round" marker-end="url(#arrow)"/>`);
      out.push(linkMarkers(turnL, turnR, midY, link, layers[i]!.outWidth, width, true));
    }
  }
  links.filter((l) => l.to !== l.from + 1).forEach((l, j) => out.push(skipLink(pos(l.from), pos(l.to), boxW, boxH, 22 + 10 * j, l)));
  if (o.io && n > 0) {
    const p = pos(n - 1), cy = p.y + boxH / 2;
    out.push(`<path d="M${p.x + boxW},${cy} H${p.x + boxW + gap - 34}" ${stroke} marker-end="url(#arrow)"/>`);
    out.push(terminal(p.x + boxW + gap - 30, cy, 'out', `${o.io.outWidth} b`, o.io.outType));
  }

  layers.forEach((l, i) => {
    const { x, y } = pos(i);
    const isWorst = i === worst && n > 1;
    const color = kindColor(l.kind);
    const fold = [l.pe !== null ? `PE ${l.pe}` : '', l.simd !== null ? `SIMD ${l.simd}` : ''].filter(Boolean).join(' × ') || 'not folded';
    const tip = `${l.name} (${l.label}): ${l.detail}; ${l.dims}; ${fold}; in ${l.inWidth} b ${l.inType}, out ${l.outWidth} b ${l.outType}; ${fmtInt(l.cycles)} cycles/frame; ${fmtInt(l.resources.LUT)} ${lb.LUT}, ${fmtInt(l.resources.BRAM_18K)} ${lb.BRAM_18K}, ${fmtInt(l.resources.DSP)} DSP${l.weightBits ? `; ${l.weightBits} weight bits/cycle` : ''}`;
    out.push(`<g class="layer${isWorst ? ' worst' : ''}" data-layer="${esc(l.name)}"><title>${esc(tip)}</title>`);
    if (isWorst) out.push(`<rect x="${x - 4}" y="${y - 4}" width="${boxW + 8}" height="${boxH + 8}" rx="12" fill="none" stroke="${COLORS.bottleneck}" stroke-width="2.5"/>`);
    out.push(`<rect x="${x}" y="${y}" width="${boxW}" height="${boxH}" rx="9" fill="#fff" stroke="#cbd5e1"/>`);
    out.push(`<path d="M${x},${y + 9} a9,9 0 0 1 9,-9 H${x + boxW - 9} a9,9 0 0 1 9,9 V${y + 24} H${x} z" fill="${color}"/>`);
    out.push(text(x + 10, y + 17, fit(l.name, boxW - 20, 14), 'class="box-title"'));
    out.push(text(x + 10, y + 40, fit(`${l.label} · ${l.dims}`, boxW - 20, 11), 'class="small muted"'));
    out.push(text(x + 10, y + 59, fit(fold, boxW - 20, 13), 'class="fold"'));
    const barW = boxW - 20;
    out.push(`<rect x="${x + 10}" y="${y + 68}" width="${barW}" height="6" rx="3" fill="#f1f5f9"/>`);
    out.push(`<rect x="${x + 10}" y="${y + 68}" width="${r1(Math.max(2, (l.cycles / maxCycles) * barW))}" height="6" rx="3" fill="${isWorst ? COLORS.bottleneck : COLORS.bar}"/>`);
    out.push(text(x + 10, y + 89, `${fmtInt(l.cycles)} cycles`, `class="small${isWorst ? ' strong' : ''}"${isWorst ? ` fill="${COLORS.bottleneck}"` : ''}`));
    out.push(text(x + 10, y + 107, fit(`${fmtInt(l.resources.LUT)} ${lb.LUT} · ${fmtInt(l.resources.BRAM_18K)} ${lb.BRAM_18K}${l.resources.DSP ? ` · ${fmtInt(l.resources.DSP)} DSP` : ''}`, boxW - 20, 11), 'class="small muted"'));
    if (isWorst) out.push(`<g><rect x="${x + boxW - 84}" y="${y - 13}" width="80" height="17" rx="8.5" fill="${COLORS.bottleneck}"/>${text(x + boxW - 44, y - 1, 'bottleneck', 'text-anchor="middle" class="tag"')}</g>`);
    out.push('</g>');
  });
  out.push('</svg>');
  return out.join('');
}

/** A stream that skips layers (a residual branch): a curve under the boxes with its FIFO. */
function skipLink(a: { x: number; y: number }, b: { x: number; y: number }, boxW: number, boxH: number, drop: number, l: ReportLink): string {
  const ax = a.x + boxW / 2, ay = a.y + boxH, bx = b.x + boxW / 2 - 12, by = b.y + boxH;
  const low = Math.max(ay, by) + drop;
  const label = l.fifo ? `FIFO ${l.fifo.depth}` : 'stream';
  return `<g class="skip"><title>${esc(`skip stream: ${label}${l.dwc ? `, width converter ${l.dwc.inWidth}→${l.dwc.outWidth} b` : ''}`)}</title>`
    + `<path d="M${r1(ax)},${ay} C${r1(ax)},${low} ${r1(bx)},${low} ${r1(bx)},${by + 2}" stroke="#94a3b8" stroke-width="2" fill="none" stroke-dasharray="5 3" marker-end="url(#arrow)"/>`
    + `${text((ax + bx) / 2, low - 4, label, 'text-anchor="middle" class="tiny muted"')}</g>`;
}

function terminal(x: number, cy: number, label: string, width: string, type: string): string {
  return `<g class="terminal"><title>${esc(`${label === 'in' ? 'input' : 'output'} AXI-Stream: ${width} (${type}, byte-padded)`)}</title>`
    + `<rect x="${x}" y="${cy - 12}" width="24" height="24" rx="12" fill="#0f172a"/>${text(x + 12, cy + 4, label, 'text-anchor="middle" class="tag"')}`
    + `${text(x + 12, cy + 30, width, 'text-anchor="middle" class="tiny muted"')}${text(x + 12, cy + 42, type, 'text-anchor="middle" class="tiny muted"')}</g>`;
}

/** Width converter and FIFO on a stream segment from x0 to x1 (flow right-to-left when `reverse`). */
function linkMarkers(x0: number, x1: number, cy: number, link: ReportLink, fromWidth: number, toWidth: number, reverse = false): string {
  const out: string[] = [];
  const items: string[] = [];
  const span = x1 - x0;
  const parts = (link.dwc ? 1 : 0) + (link.fifo ? 1 : 0);
  const at = (j: number): number => {
    const t = parts === 1 ? 0.5 : j === 0 ? 0.3 : 0.7;
    return reverse ? x1 - t * span : x0 + t * span;
  };
  let j = 0;
  let fifoX = (x0 + x1) / 2;
  if (link.dwc) {
    const cx = at(j++);
    const d = link.dwc;
    const label = `${d.inWidth}→${d.outWidth}`;
    const w = textWidth(label, 10) + 12;
    items.push(`<g class="dwc"><title>${esc(`width converter: ${d.inWidth} b → ${d.outWidth} b`)}</title><rect x="${r1(cx - w / 2)}" y="${cy - 9}" width="${r1(w)}" height="18" rx="9" fill="${COLORS.dwc}"/>`
      + `${text(cx, cy + 3.5, label, 'text-anchor="middle" class="tiny tag"')}${text(cx, cy + 24, 'DWC', 'text-anchor="middle" class="tiny" fill="#b45309"')}</g>`);
  }
  if (link.fifo) {
    const cx = at(j++);
    fifoX = cx;
    const f = link.fifo;
    items.push(`<g class="fifo"><title>${esc(`FIFO: ${f.depth} words deep, ${f.width} b wide`)}</title><rect x="${r1(cx - 15)}" y="${cy - 9}" width="30" height="18" rx="3" fill="#fff" stroke="${COLORS.fifo}" stroke-width="1.5"/>`
      + `<path d="M${r1(cx - 5)},${cy - 9} V${cy + 9} M${r1(cx + 5)},${cy - 9} V${cy + 9}" stroke="${COLORS.fifo}" stroke-width="1"/>`
      + `${text(cx, cy + 24, `FIFO ${f.depth}`, 'text-anchor="middle" class="tiny muted"')}</g>`);
  }
  if (!link.dwc && fromWidth !== toWidth) {
    // no converter recorded but widths differ: say so on the stream
    items.push(text((x0 + x1) / 2, cy + 38, `${fromWidth}→${toWidth} b`, 'text-anchor="middle" class="tiny muted"'));
  }
  out.push(text(fifoX, cy - 13, `${toWidth} b`, 'text-anchor="middle" class="tiny muted"'));
  return out.concat(items).join('');
}
