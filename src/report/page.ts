/** report.html as one string: header, summary tiles, pipeline, throughput, resources, verification, explorer, build. */
import { FASTEST_LEGAL_NOTE, RESOURCE_LABEL } from '../outcome.ts';
import { PARTS, findPart } from '../cost/parts.ts';
import type { Resources } from '../hw/layer.ts';
import { COLORS, cyclesChart, kindColor, layerResourceChart, pipelineDiagram, utilizationChart } from './charts.ts';
import { explore } from './explore.ts';
import { SLIDER_STEPS, explorerBody, fpsToSlider, resourceKeys } from './explorer-view.ts';
import { esc, fmtInt, fmtNs, fmtPct, fmtSeconds, fmtSi } from './format.ts';
import { CSS } from './style.ts';
import type { ReportData, ReportLayer, VerificationStage } from './types.ts';
import { resourceWords, type ResourceWords } from './words.ts';

const STAGE_INFO: Readonly<Record<string, { title: string; what: string; order: number }>> = {
  hw_graph_reference: { title: 'Reference executor', what: 'The folded hardware graph run in TypeScript: the golden output every RTL stage must match bit for bit.', order: 0 },
  hw_layers_rtl: { title: 'Each layer’s RTL alone', what: 'Every layer’s Verilog simulated on its own, fed the reference’s inputs for that layer.', order: 1 },
  stitched_rtl: { title: 'Stitched design (RTL)', what: 'The whole accelerator as one AXI-Stream design in Verilator, with random stalls on the streams.', order: 2 },
  netlist: { title: 'Synthesized netlist', what: 'The netlist Yosys synthesized, simulated with Yosys’s cell models in Verilator: the same frames, testbench and random stalls as the RTL.', order: 3 },
};

function tile(label: string, value: string, sub: string, cls = '', id = ''): string {
  return `<div class="tile${cls ? ` ${cls}` : ''}"${id ? ` id="${id}"` : ''}><div class="tile-label">${esc(label)}</div><div class="tile-value">${value}</div><div class="tile-sub">${sub}</div></div>`;
}

/** JSON inside <script type="application/json">: `<` escaped so no string can close the element. */
function jsonForScript(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function familyName(f: string): string {
  return ({ zynq7000: 'Zynq-7000', zynqmp: 'Zynq UltraScale+', alveo: 'Alveo', ice40: 'iCE40' } as Record<string, string>)[f] ?? f;
}

function header(d: ReportData): string {
  const s = d.settings;
  const part = findPart(s.part);
  const st = d.status.status;
  const statusChip = st === 'complete' ? '<span class="chip ok">✓ build complete</span>'
    : st === 'failed' ? `<span class="chip bad">✗ build failed${d.status.failedStep ? ` at ${esc(d.status.failedStep)}` : ''}</span>`
    : `<span class="chip warn">build ${esc(st)}</span>`;
  const chips = [
    statusChip,
    `<span class="chip" title="FPGA part">${esc(part.name)} · ${esc(familyName(part.family))}${s.partKnown ? '' : ' (assumed)'}</span>`,
    `<span class="chip" title="clock">${esc(fmtSi(1000 / s.clockNs))} MHz clock${s.clockKnown ? '' : ' (derived)'}</span>`,
    s.targetFps !== null ? `<span class="chip" title="--target-fps">target ${esc(fmtSi(s.targetFps))} frames/s</span>` : '',
    s.foldingFile ? `<span class="chip" title="--folding">folding file ${esc(s.foldingFile.split('/').pop() ?? '')}</span>` : '',
  ].filter(Boolean).join('');
  return `<header class="top"><div class="wrap"><div class="eyebrow">finn-ts build report</div><h1>${esc(d.title)}</h1><div class="chips">${chips}</div>${d.model ? `<div class="model">${esc(d.model)}</div>` : ''}</div></header>`;
}

function stitched(d: ReportData): VerificationStage | undefined {
  return d.verification?.stages.find((x) => x.stage === 'stitched_rtl');
}

function heroTiles(d: ReportData): string {
  const p = d.performance, s = d.settings;
  const out: string[] = [];
  if (p) {
    const measured = d.rtlsim?.stable_throughput;
    out.push(tile('Throughput', `${esc(fmtSi(p.estimated_throughput_fps))} <small class="muted" style="font-size:14px">frames/s</small>`,
      measured ? `estimated · <b>${esc(fmtSi(measured))}</b> measured in RTL simulation` : 'estimated from the slowest layer', '', 'hero-fps'));
    const lat = d.rtlsim?.latency_cycles;
    out.push(tile('Latency', esc(fmtNs(p.estimated_latency_ns)),
      `${esc(fmtInt(p.critical_path_cycles))} cycles, sum of the layers${lat ? ` · <b>${esc(fmtNs(lat * s.clockNs))}</b> measured` : ''}`));
    const target = s.targetFps !== null ? Math.floor(1e9 / s.clockNs / s.targetFps) : null;
    out.push(tile('Bottleneck', `<span title="${esc(p.max_cycles_node_name)}">${esc(p.max_cycles_node_name)}</span>`,
      `${esc(fmtInt(p.max_cycles))} cycles/frame${target !== null ? (p.max_cycles < target ? ` · <span class="ok">meets the target</span> (&lt; ${esc(fmtInt(target))})` : ` · <span class="bad">misses the target</span> (&lt; ${esc(fmtInt(target))})`) : ''}`, 'tile-accent tile-name'));
  }
  const total = d.synthTotal ?? d.estimateTotal;
  const fit = d.synthTotal ? null : d.status.fit;
  if (fit) {
    // the same numbers and words as the terminal's summary (iCE40: logic cells and EBR)
    const util = (r: { used: number; available: number }) => (r.available > 0 ? r.used / r.available : r.used > 0 ? Infinity : 0);
    const worst = fit.resources.reduce((b, r) => (util(r) > util(b) ? r : b));
    const ok = fit.resources.every((r) => r.fits);
    out.push(tile(`${ok ? 'Fits on' : 'Too big for'} ${fit.part}`, `${esc(fmtPct(util(worst)))} <small class="muted" style="font-size:14px">${esc(RESOURCE_LABEL[worst.resource] ?? worst.resource)}</small>`,
      `${fit.resources.filter((r) => r.used > 0).map((r) => `${esc(fmtInt(r.used))} ${esc(RESOURCE_LABEL[r.resource] ?? r.resource)}`).join(' · ')} (estimated, with FIFOs)`, ok ? '' : 'tile-bad'));
  } else if (total) {
    const part = findPart(s.part);
    const w = resourceWords(part), cap = w.capacity(part), shown = w.show(total);
    const keys = resourceKeys(cap, [shown]);
    const util = (k: keyof Resources) => (cap[k] > 0 ? shown[k] / cap[k] : shown[k] > 0 ? Infinity : 0);
    const worst = keys.reduce((b, k) => (util(k) > util(b) ? k : b), 'LUT' as keyof Resources);
    const fits = keys.every((k) => util(k) <= 1);
    out.push(tile(`${fits ? 'Fits on' : 'Too big for'} ${part.name}`, `${esc(fmtPct(util(worst)))} <small class="muted" style="font-size:14px">${esc(w.labels[worst])}</small>`,
      `${esc(fmtInt(shown.LUT))} ${w.labels.LUT} · ${esc(fmtInt(shown.BRAM_18K))} ${w.labels.BRAM_18K} · ${esc(fmtInt(shown.DSP))} DSP ${d.synthTotal ? '(synthesized)' : '(estimated)'}`, fits ? '' : 'tile-bad'));
  }
  const st = stitched(d);
  if (d.verification && st) {
    const bad = d.verification.stages.some((x) => x.mismatches > 0);
    const ref = d.verification.stages.find((x) => x.stage === 'hw_graph_reference');
    out.push(tile('RTL verified', bad ? '✗ mismatches' : '✓ bit-exact',
      `${esc(fmtInt(st.images))} ${d.verification.inputs.startsWith('mnist') ? 'MNIST images' : 'frames'}, ${esc(fmtInt(st.mismatches))} mismatches${st.accuracy !== null ? ` · ${esc((100 * st.accuracy).toFixed(2))} % top-1` : ''}${ref && ref.accuracy !== null && st.accuracy === null ? ` · reference ${(100 * ref.accuracy).toFixed(2)} %` : ''}`,
      bad ? 'tile-bad' : 'tile-good', 'hero-verified'));
  } else if (d.status.status === 'complete') {
    out.push(tile('RTL verified', '–', 'the build did not run the verify step'));
  }
  return out.length ? `<div class="tiles hero">${out.join('')}</div>` : '';
}

function failureBanner(d: ReportData): string {
  const w = d.status.warnings ?? [];
  if (w.length && d.status.status === 'complete') return `<div class="banner bad" id="outcome-warnings">${w.map((x) => `<div>⚠ ${esc(x)}</div>`).join('')}</div>`;
  if (d.status.status === 'interrupted') {
    const s = d.status;
    return `<div class="banner bad">Build interrupted${s.interruptedStep ? ` during step <b>${esc(s.interruptedStep)}</b>` : ''}${s.lastFinished ? ` after <b>${esc(s.lastFinished)}</b>` : ''}: run the same <code>finn build</code> command again to resume.<br><span style="font-weight:400">Everything below is what the build wrote before it stopped.</span></div>`;
  }
  if (d.status.status !== 'failed') return '';
  return `<div class="banner bad">Build failed${d.status.failedStep ? ` in step <b>${esc(d.status.failedStep)}</b>` : ''}${d.status.code ? ` (${esc(d.status.code)})` : ''}: <code>${esc(d.status.error ?? 'no error recorded')}</code><br><span style="font-weight:400">Everything below is what the build wrote before it stopped.</span></div>`;
}

function kindLegend(kinds: readonly { kind: string; label: string }[]): string {
  const seen = new Map<string, string>();
  for (const k of kinds) if (!seen.has(k.kind)) seen.set(k.kind, k.label);
  return `<span class="legend">${[...seen].map(([k, l]) => `<span><i class="sw" style="background:${kindColor(k)}"></i>${esc(l)}</span>`).join('')}</span>`;
}

function foldingDefaultsNote(d: ReportData): string {
  const l = d.status.foldingDefaults ?? [];
  return l.length ? `<p class="note" id="folding-defaults">Not named in the folding file, folded from defaults: <b>${l.map(esc).join(', ')}</b>.</p>` : '';
}

/** The layers with their resources in the part family's units (iCE40: EBRs). */
function shownLayers(d: ReportData, w: ResourceWords): ReportLayer[] {
  return d.layers.map((l) => ({ ...l, resources: w.show(l.resources), synth: l.synth ? w.show(l.synth) : l.synth }));
}

function pipelineSection(d: ReportData): string {
  const w = resourceWords(findPart(d.settings.part));
  const body = d.layers.length
    ? `<div class="chart-box" id="pipeline">${pipelineDiagram(shownLayers(d, w), d.links, { io: d.io, labels: w.labels })}</div>`
    : '<div class="empty">No hardware layers yet: the build stopped before the to-hw step.</div>';
  const fifos = d.links.filter((l) => l.fifo).length, dwcs = d.links.filter((l) => l.dwc).length;
  return `<section class="card" id="sec-pipeline"><h2>Dataflow pipeline</h2><p class="lede">Every layer is its own piece of hardware and frames stream through all of them at once, so the slowest layer sets the pace.
Each box shows how the layer is folded (PE = output channels per cycle, SIMD = inputs per cycle) and its cycles per frame; between layers are the stream width, ${dwcs ? 'width converters (amber) and ' : ''}FIFOs${fifos ? ' with their depth in words' : ''}. Hover for details.</p>
<h3>${kindLegend(d.layers)}</h3>${body}${foldingDefaultsNote(d)}</section>`;
}

function throughputSection(d: ReportData): string {
  const p = d.performance, s = d.settings;
  if (!p || !d.layers.length) return '';
  const target = s.targetFps !== null ? Math.floor(1e9 / s.clockNs / s.targetFps) : null;
  const measured = d.rtlsim?.cycles_per_frame ?? null;
  const chart = cyclesChart(d.layers.map((l) => ({ name: l.name, cycles: l.cycles })), {
    target, measured, targetLabel: target !== null ? `target ${fmtSi(s.targetFps!)} frames/s: every layer below ${fmtInt(target)} cycles` : undefined, width: 720,
  });
  const fig = (cls: string, big: string, small: string) => `<div class="figure ${cls}"><b>${big}</b><span>${small}</span></div>`;
  const figs: string[] = [
    fig('accent', `${esc(fmtSi(p.estimated_throughput_fps))} frames/s`, `estimated: ${esc(fmtSi(1000 / s.clockNs))} MHz ÷ ${esc(fmtInt(p.max_cycles))} cycles of ${esc(p.max_cycles_node_name)}`),
    fig('', esc(fmtNs(p.estimated_latency_ns)), `estimated latency: ${esc(fmtInt(p.critical_path_cycles))} cycles summed over the layers`),
  ];
  if (d.rtlsim?.cycles_per_frame) {
    const r = d.rtlsim;
    const dev = r.deviation_from_estimate ?? 0;
    figs.push(fig('okb', `${esc(fmtInt(r.cycles_per_frame!))} cycles/frame`, `measured in RTL simulation over ${esc(fmtInt(r.N ?? 0))} frames (${dev === 0 ? 'exactly the estimate' : `${dev > 0 ? '+' : ''}${(dev * 100).toFixed(1)} % vs. estimate`}) = ${esc(fmtSi(r.stable_throughput ?? 0))} frames/s`));
    if (r.latency_cycles) figs.push(fig('okb', esc(fmtNs(r.latency_cycles * s.clockNs)), `measured latency: ${esc(fmtInt(r.latency_cycles))} cycles from the first input word to the first output`));
  }
  if (target !== null) figs.push(fig(p.max_cycles < target ? 'okb' : 'accent', p.max_cycles < target ? '<span class="ok">✓ target met</span>' : '<span class="bad">✗ target missed</span>',
    `asked for ${esc(fmtSi(s.targetFps!))} frames/s: every layer below ${esc(fmtInt(target))} cycles`));
  return `<section class="card" id="sec-throughput"><h2>Throughput</h2><p class="lede">Cycles each layer needs per frame. The pipeline runs at the pace of the slowest layer (orange)${target !== null ? '; the red line is what the requested frames/s allows' : ''}${measured ? ', the green line what RTL simulation measured' : ''}.</p>
<div class="grid2"><div class="chart-box" id="cycles">${chart}</div><div class="figures">${figs.join('')}</div></div></section>`;
}

function resourcesSection(d: ReportData): string {
  if (!d.layers.length) return '';
  const part = findPart(d.settings.part);
  const w = resourceWords(part), lb = w.labels;
  const cap = w.capacity(part);
  const keys = resourceKeys(cap, [d.estimateTotal ? w.show(d.estimateTotal) : cap]);
  const layers = shownLayers(d, w);
  const hasSynth = d.synthTotal !== null;
  const util = utilizationChart(layers, { keys, capacity: cap, partName: part.name, synth: d.synthTotal ? w.show(d.synthTotal) : null, width: 1100, labels: lb });
  const panels = (['LUT', 'BRAM_18K', 'DSP'] as const).map((k) => `<div class="chart-box">${layerResourceChart(layers, k, { width: 360, labels: lb })}</div>`).join('');
  const o = d.synthOther ? w.show(d.synthOther) : null;
  const other = o ? `<p class="muted">Synthesized FIFOs, width converters and glue outside the layers: ${esc(fmtInt(o.LUT))} ${lb.LUT}, ${esc(fmtInt(o.BRAM_18K))} ${lb.BRAM_18K}, ${esc(fmtInt(o.DSP))} DSP.</p>` : '';
  return `<section class="card" id="sec-resources"><h2>Resources on ${esc(part.name)}</h2><p class="lede">Each bar is the whole ${esc(part.name)} (${esc(part.fullName)}); the coloured segments are the layers' estimated use (${esc(modelWords(d))})${hasSynth ? ', the dark bar beneath is what synthesis reported' : '; synthesized numbers appear beside them once the design has been synthesized'}.</p>
<h3>${kindLegend(d.layers)}${hasSynth ? `<span class="legend"><span><i class="sw" style="background:${COLORS.synth}"></i>synthesized</span></span>` : ''}</h3>
<div class="chart-box" id="resources">${util}</div><div class="grid3" id="resources-layers">${panels}</div>${other}</section>`;
}

function modelWords(d: ReportData): string {
  return d.settings.costModel === 'finn' ? "FINN's LUT/BRAM formulas" : "finn-ts's cost model, calibrated on Yosys";
}

function errCell(e: number | null): string {
  if (e === null) return '<td class="num muted">–</td>';
  const cls = Math.abs(e) <= 25 ? 'ok' : Math.abs(e) <= 100 ? 'warn' : 'bad';
  return `<td class="num ${cls}">${e > 0 ? '+' : e < 0 ? '−' : ''}${esc(Math.abs(e).toFixed(1))} %</td>`;
}

/** Synthesis (estimate vs Yosys per layer), place and route (Fmax, utilization, bitstream) and the fit to the part. */
function synthesisSection(d: ReportData): string {
  const { synthesis: sy, route: rt, fit } = d;
  if (!sy && !rt && !fit) {
    if (!d.layers.length) return '';
    return `<section class="card" id="sec-synthesis"><h2>Synthesis</h2><div class="empty">Not synthesized yet. <code>finn synth &lt;build dir&gt; --part ${esc(d.settings.part)}</code> runs Yosys (WebAssembly, no vendor tools) and puts the real LUT/FF/BRAM/DSP numbers here and beside the estimates above; for iCE40 parts it also places, routes and packs a bitstream.</div></section>`;
  }
  const parts: string[] = [];
  if (fit) {
    const m = Object.entries(fit.margin).filter(([, v]) => v.available > 0).map(([k, v]) => `${esc(k)} ${esc(fmtInt(Math.round(v.used)))} / ${esc(fmtInt(v.available))} (${esc(String(v.headroom_pct))} % left)`).join(', ');
    parts.push(`<p id="synth-fit"><b>Folded to fit ${esc(fit.part)}</b> (<code>--target-fps max</code>): ${esc(fmtInt(fit.cycles))} cycles/frame → ${esc(fmtSi(fit.fps))} frames/s; estimated use ${m}; closest to its limit: ${esc(fit.binding)}${fit.fastestLegal ? ` (${esc(FASTEST_LEGAL_NOTE)})` : ''}.</p>`);
  }
  if (rt) {
    const u = Object.entries(rt.utilization).filter(([, v]) => v.used > 0).map(([k, v]) => `${esc(k)} ${esc(fmtInt(v.used))}/${esc(fmtInt(v.available))} (${esc(String(v.percent))} %)`).join(', ');
    parts.push(`<div class="tiles" id="synth-route">${tile('Fmax (nextpnr)', `${esc(rt.fmaxMhz.toFixed(1))} MHz`, `target ${esc(String(rt.requestedMhz))} MHz: <span class="${rt.met ? 'ok' : 'bad'}">${rt.met ? 'met' : 'not met'}</span>`, rt.met ? 'tile-good' : 'tile-bad')}${tile('Frames/s at Fmax', esc(fmtSi(rt.fpsAtFmax)), `${esc(fmtInt(rt.cyclesPerFrame))} cycles/frame`)}${tile('Bitstream', `${esc(fmtInt(rt.bitstream.bytes))} B`, `<code>${esc(rt.bitstream.file)}</code> · sha256 ${esc(rt.bitstream.sha256.slice(0, 12))}…`)}${tile('From verified RTL', rt.rtlVerified ? '✓ same files' : '✗ differs', rt.rtlVerified ? 'SHA-256 of every RTL file = the co-simulated ones' : 'rtl/ changed after co-simulation', rt.rtlVerified ? 'tile-good' : 'tile-bad')}</div>
<p class="muted">Placed on ${esc(rt.part)}: ${u}. Synthesis ${esc(fmtSeconds(rt.seconds.synth))}, place and route ${esc(fmtSeconds(rt.seconds.place_and_route))}, pack ${esc(fmtSeconds(rt.seconds.pack))}.</p>`);
  }
  if (sy) {
    const keys = ['LUT', 'FF', 'BRAM_18K', 'DSP'].filter((k) => sy.rows.some((r) => (r.resources[k]?.synth ?? 0) > 0 || (r.resources[k]?.estimate ?? 0) > 0));
    const w = resourceWords(findPart(d.settings.part));
    const label = (k: string) => w.labels[k as keyof Resources] ?? k;
    const unit = (k: string, v: number) => (k === 'BRAM_18K' ? w.show({ LUT: 0, FF: 0, BRAM_18K: v, URAM: 0, DSP: 0 }).BRAM_18K : v);
    const head = `<tr><th>layer</th>${keys.map((k) => `<th class="num">${label(k)} est.</th><th class="num">${label(k)} synth</th><th class="num">error</th>`).join('')}</tr>`;
    const body = sy.rows.map((r) => `<tr${r.node === 'total' ? ' class="total"' : ''}><td>${esc(r.node)}</td>${keys.map((k) => {
      const c = r.resources[k];
      if (!c) return '<td></td><td></td><td></td>';
      return `<td class="num">${c.estimate === null ? '<span class="muted">–</span>' : esc(fmtInt(unit(k, c.estimate)))}</td><td class="num"><b>${esc(fmtInt(unit(k, c.synth)))}</b></td>${errCell(c.error_pct)}`;
    }).join('')}</tr>`).join('');
    parts.push(`<p>Estimate (${esc(modelWords(d))}) against <b>${esc(sy.tool)}</b> for ${esc(sy.part)}, per layer; error = (estimate − synth) / synth. Synthesis took ${esc(fmtSeconds(sy.seconds))}.</p>
<div class="table-scroll"><table class="synth-table" id="synth-table"><thead>${head}</thead><tbody>${body}</tbody></table></div>${sy.notes.length ? `<ul class="muted">${sy.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}`);
  }
  return `<section class="card" id="sec-synthesis"><h2>Synthesis</h2>${parts.join('\n')}</section>`;
}

/** The netlist stage's extra facts: what was simulated and its cycles per frame beside the RTL's. */
function netlistRows(st: VerificationStage): string {
  const n = st.netlist;
  if (!n) return '';
  const same = n.cycles_per_frame !== null && n.cycles_per_frame === n.rtl_cycles_per_frame;
  return `<dt>cycles/frame</dt><dd class="${same ? 'ok' : 'bad'}">${esc(n.cycles_per_frame === null ? '—' : fmtInt(n.cycles_per_frame))} <span class="muted">(RTL ${esc(n.rtl_cycles_per_frame === null ? '—' : fmtInt(n.rtl_cycles_per_frame))})</span></dd><dt>netlist</dt><dd>${esc(n.flow)}</dd><dt>cell models</dt><dd>${esc(n.cell_models)}</dd>`;
}

function verificationSection(d: ReportData): string {
  const v = d.verification;
  if (!v) {
    return `<section class="card" id="sec-verification"><h2>Verification</h2><div class="empty">${d.status.status === 'failed' && d.status.failedStep === 'verify' ? 'The verify step failed before writing report/verification.json; see the error above.' : 'The build did not run the verify step (finn build … --to verify).'}</div></section>`;
  }
  const stages = [...v.stages].sort((a, b) => (STAGE_INFO[a.stage]?.order ?? 9) - (STAGE_INFO[b.stage]?.order ?? 9));
  const cards = stages.map((st) => {
    const info = STAGE_INFO[st.stage] ?? { title: st.stage, what: '' };
    const pass = st.mismatches === 0;
    const dv = st.first_divergence;
    const div = dv ? `<div class="diverge"><b>First divergence</b>: ${esc(dv.layer ?? '?')}, frame ${esc(String(dv.frame ?? '?'))}, element ${esc(String(dv.element ?? '?'))}: expected ${esc(String(dv.expected ?? '?'))}, got ${esc(String(dv.actual ?? '?'))}</div>` : '';
    const isRef = st.stage === 'hw_graph_reference';
    return `<div class="stage ${pass ? 'pass' : 'fail'}" data-stage="${esc(st.stage)}"><h4>${esc(info.title)} <span class="badge ${pass ? 'pass' : 'fail'}">${isRef ? 'golden' : pass ? '✓ match' : '✗ mismatch'}</span></h4><div class="what">${esc(info.what)}</div>
<dl class="kv"><dt>${v.inputs.startsWith('mnist') ? 'images' : 'frames'}</dt><dd>${esc(fmtInt(st.images))}</dd>${isRef ? '' : `<dt>mismatches</dt><dd class="${pass ? 'ok' : 'bad'}">${esc(fmtInt(st.mismatches))}</dd>`}${st.accuracy !== null ? `<dt>top-1 accuracy</dt><dd>${esc((100 * st.accuracy).toFixed(2))} %</dd>` : ''}${netlistRows(st)}</dl>${div}</div>`;
  }).join('');
  const r = d.rtlsim;
  const perf = r?.cycles_per_frame ? `<div class="stage pass"><h4>Throughput in RTL <span class="badge ${r.deviation_from_estimate ? 'fail' : 'pass'}">${r.deviation_from_estimate ? 'differs' : '= estimate'}</span></h4><div class="what">The stitched design with inputs always valid and outputs always ready (FINN's method).</div>
<dl class="kv"><dt>cycles/frame</dt><dd>${esc(fmtInt(r.cycles_per_frame))} <span class="muted">(estimate ${esc(fmtInt(r.estimated_max_cycles ?? 0))})</span></dd><dt>frames/s</dt><dd>${esc(fmtSi(r.stable_throughput ?? 0))}</dd><dt>latency</dt><dd>${esc(fmtInt(r.latency_cycles ?? 0))} cycles</dd><dt>frames</dt><dd>${esc(fmtInt(r.N ?? 0))}</dd></dl></div>` : '';
  return `<section class="card" id="sec-verification"><h2>Verification</h2><p class="lede">The generated Verilog is simulated and compared with the reference executor on the same inputs (${esc(v.inputs)}; random stream stalls ${v.stalls ? 'on' : 'off'}, seed ${esc(String(v.seed))}${v.rtlFiles ? `; ${v.rtlFiles} RTL files hashed in verification.json` : ''}).</p>
<div class="stages" id="verification">${cards}${perf}</div></section>`;
}

function explorerSection(d: ReportData): string {
  const x = d.explorer;
  if (!x) return '';
  const s = d.settings;
  const r = explore(x.skeleton, { fps: x.fpsStart, part: s.part, clockNs: s.clockNs, maxWeightWidth: s.maxWeightWidth, twoPass: s.twoPass });
  const pos = fpsToSlider(x.fpsStart, x.fpsMin, x.fpsMax, SLIDER_STEPS);
  const options = PARTS.map((p) => `<option value="${esc(p.name)}"${p.name === s.part ? ' selected' : ''}>${esc(p.name)} (${esc(familyName(p.family))})</option>`).join('');
  const basis = s.targetFps !== null ? 'starts at the build’s target' : s.foldingFile ? 'starts at the built design’s frames/s (the build used a folding file; the explorer folds automatically)' : 'starts at the built design’s frames/s';
  return `<section class="card" id="sec-explorer"><h2>Folding explorer</h2><p class="lede">Pick a target and the page re-runs finn-ts’s own folding (SetFolding) and cost model — the compiler’s TypeScript, bundled into this file — and redraws instantly. The slider ${esc(basis)}; ticks in the chart mark the built design.</p>
<div class="controls"><div class="slider-row"><div class="slider-head"><label for="explore-slider">Target frames/s</label><span id="explore-target"><b>${esc(fmtSi(x.fpsStart))}</b> frames/s → every layer below ${esc(fmtInt(r.targetCycles))} cycles</span></div>
<input type="range" id="explore-slider" min="0" max="${SLIDER_STEPS}" step="1" value="${pos}" aria-label="target frames per second">
<div class="scale"><span>${esc(fmtSi(x.fpsMin))}</span><span>${esc(fmtSi(x.fpsMax))} frames/s</span></div></div>
<div class="knobs"><label>FPGA part<select id="explore-part">${options}</select></label><label>max weight bits<input type="number" id="explore-wmax" min="1" max="4096" step="1" value="${s.maxWeightWidth}" title="mvau_wwidth_max: weight bits per cycle a layer may stream"></label><button id="explore-reset" type="button">Reset</button></div></div>
<div id="explore-body">${explorerBody(r, d.layers, s.clockNs)}</div></section>`;
}

function buildSection(d: ReportData): string {
  const done = d.steps.filter((s) => s.seconds !== null);
  const total = done.reduce((a, s) => a + s.seconds!, 0);
  const palette = ['#93c5fd', '#a5b4fc', '#c4b5fd', '#f9a8d4', '#fdba74', '#fcd34d', '#86efac', '#5eead4', '#7dd3fc', '#fca5a5', '#d8b4fe', '#bef264'];
  const bar = total > 0 ? `<div class="steps" title="time per step">${done.map((s, i) => `<div style="flex:${Math.max(s.seconds! / total, 0.004).toFixed(4)};background:${palette[i % palette.length]}" title="${esc(`${s.name}: ${fmtSeconds(s.seconds!)}`)}"></div>`).join('')}</div>` : '';
  const list = d.steps.map((s, i) => {
    const cls = s.state === 'failed' ? 'failed' : s.state === 'not run' ? 'notrun' : '';
    const sw = s.seconds !== null ? `<i class="sw" style="background:${palette[done.indexOf(s) % palette.length]}"></i>` : '';
    return `<div class="${cls}"><span>${sw}${i + 1}. ${esc(s.name)}</span><span>${s.state === 'done' ? esc(fmtSeconds(s.seconds!)) : s.state === 'failed' ? '✗ failed' : 'not run'}</span></div>`;
  }).join('');
  const files = d.files.length ? `<div class="files">${d.files.map((f) => `<a href="${esc(f.path)}" title="${esc(f.label)}">${esc(f.path)}</a>`).join('')}</div>` : '';
  const notes = d.notes.length ? `<ul class="notes">${d.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '';
  return `<section class="card" id="sec-build"><h2>Build</h2><p class="lede">${done.length} of ${d.steps.length} steps ran${total > 0 ? ` in ${esc(fmtSeconds(total))}` : ''}. Open the intermediate models in Netron; every file below is in the build directory next to this page.</p>${bar}<div class="step-list">${list}</div>${files}${notes}</section>`;
}

/** The whole page; `script` is the bundled explorer (browser.ts), inlined. */
export function renderPage(d: ReportData, script: string): string {
  const nav = [['sec-pipeline', 'Pipeline', d.layers.length > 0], ['sec-throughput', 'Throughput', d.performance !== null && d.layers.length > 0], ['sec-resources', 'Resources', d.layers.length > 0],
    ['sec-synthesis', 'Synthesis', d.layers.length > 0 || d.synthesis !== null], ['sec-verification', 'Verification', true], ['sec-explorer', 'Folding explorer', d.explorer !== null], ['sec-build', 'Build', true]] as const;
  const csp = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="generator" content="finn-ts report">
<title>${esc(d.title)} · finn-ts build report</title>
<style>${CSS}</style></head>
<body>
${header(d)}
<nav class="toc"><div class="wrap">${nav.filter(([, , on]) => on).map(([id, label]) => `<a href="#${id}">${label}</a>`).join('')}</div></nav>
<main class="wrap">
${failureBanner(d)}${heroTiles(d)}
${pipelineSection(d)}
${throughputSection(d)}
${resourcesSection(d)}
${synthesisSection(d)}
${verificationSection(d)}
${explorerSection(d)}
${buildSection(d)}
</main>
<footer class="wrap">Written by <code>finn report</code> from the build directory; self-contained — no network needed. Estimates follow FINN's cost models.</footer>
<script type="application/json" id="finn-report-data">${jsonForScript(d)}</script>
<script>${script.replace(/<\/script/gi, '<\\/script')}</script>
</body></html>
`;
}
