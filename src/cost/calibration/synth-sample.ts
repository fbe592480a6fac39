/**
 * Synthesize calibration samples (single cores) with Yosys for xc7 or iCE40. Several samples share one Yosys run (the
 * fixed cost of a synth_xilinx run in WebAssembly is ~15 s): each sample is a wrapper module kept as its own module
 * (keep_hierarchy, as `finn synth` keeps every layer), instantiated by a top whose ports are the wrappers' ports.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { withLayer } from '../../hw/registry.ts';
import type { LayerInfo, StreamInfo } from '../../backend/design.ts';
import type { RtlOptions, StreamPort } from '../../hw/layer.ts';
import { PARTS } from '../parts.ts';
import { partRtlOptions } from '../estimate.ts';
import { memFile, wrapperModule } from '../../backend/verilog.ts';
import { coreFilesFor } from '../../rtl/cores.ts';
import { memFileText } from '../../rtl/layout.ts';
import { renderFile } from '../../verilog/render.ts';
import { ref, streamPorts, type VModule, type VPort } from '../../verilog/model.ts';
import { STAT_FILE, memoryFixes, synthXilinx, type MemShape } from '../../synth/script.ts';
import { flattenCounts, parseStatJson, resourcesOf, type SynthResources } from '../../synth/stat.ts';
import type { YosysJob } from '../../synth/yosys.ts';
import type { Sample } from './samples.ts';

export type CalFamily = 'xc7' | 'ice40';

/** The RTL choices the parts of a family make (the samples are synthesized as builds for those parts generate them). */
export function familyRtlOptions(f: CalFamily): RtlOptions {
  return partRtlOptions(PARTS.find((q) => (f === 'ice40' ? q.family === 'ice40' : q.family === 'zynq7000'))!);
}

const stream = (p: StreamPort): StreamInfo => {
  const perWord = p.width / p.elem.bits;
  return { width: p.width, perWord, elem: p.elem, wordsPerFrame: p.elems / perWord };
};

interface Part { module: VModule; cores: string[]; mems: Record<string, string>; autoRoms: MemShape[] }

const CLK: VPort[] = [{ name: 'ap_clk', dir: 'input', width: 1 }, { name: 'ap_rst_n', dir: 'input', width: 1 }];
const conns = (ports: readonly VPort[]): [string, ReturnType<typeof ref>][] => ports.map((p) => [p.name, ref(p.name)]);

function layerPart(s: Extract<Sample, { op: unknown }>, ident: string, o: RtlOptions): Part {
  const l = withLayer(s.op, (layer, p): LayerInfo => {
    const ins = layer.inputs(p).map(stream), outs = layer.outputs(p).map(stream);
    return { node: s.id, ident, kind: s.op.kind, cycles: layer.cycles(p), inputs: ins, outputs: outs, input: ins[0]!, output: outs[0]!, rtl: layer.rtl(p, s.consts, o) };
  });
  const mems: Record<string, string> = {};
  for (const m of l.rtl.memories) mems[memFile(l, m.suffix)] = memFileText(m.words, m.width);
  const style = l.rtl.params.find(([k]) => k === 'RAM_STYLE')?.[1];
  const autoRoms = style === 'auto' ? l.rtl.memories.map((m) => ({ depth: m.words.length, width: m.width })) : [];
  return { module: wrapperModule(l), cores: [l.rtl.core], mems, autoRoms };
}

function infraPart(core: string, ident: string, params: [string, number][], inW: number, outW: number): Part {
  const ports = [...CLK, ...streamPorts('in0_V', 'in', inW), ...streamPorts('out_V', 'out', outW)];
  const module: VModule = { name: ident, comment: [], ports, wires: [], assigns: [], instances: [{ module: core, name: 'core', params, conns: conns(ports) }] };
  return { module, cores: [core], mems: {}, autoRoms: [] };
}

function samplePart(s: Sample, ident: string, o: RtlOptions): Part {
  if ('fifo' in s) return infraPart('finn_fifo', ident, [['WIDTH', s.fifo.width], ['DEPTH', s.fifo.depth], ...(o.flopMemories ? [['OREG', 1] as [string, number]] : [])], s.fifo.width, s.fifo.width);
  if ('dwc' in s) return infraPart('finn_dwc', ident, [['IN_BITS', s.dwc.inBits], ['OUT_BITS', s.dwc.outBits]], s.dwc.inBits, s.dwc.outBits);
  return layerPart(s, ident, o);
}

export const TOP = 'cal_top';

/** One Yosys run over several samples; module `cal_s<k>` is sample k. */
export function batchJob(samples: readonly Sample[], family: CalFamily): YosysJob {
  const parts = samples.map((s, k) => samplePart(s, `cal_s${k}`, familyRtlOptions(family)));
  const files: Record<string, string> = {};
  const sources: string[] = [];
  for (const f of coreFilesFor(parts.flatMap((p) => p.cores))) { files[basename(f)] = readFileSync(f, 'utf8'); sources.push(basename(f)); }
  const top: VModule = {
    name: TOP, comment: [],
    ports: parts.flatMap((p, k) => p.module.ports.map((q) => ({ ...q, name: `s${k}_${q.name}` }))),
    wires: [], assigns: [],
    instances: parts.map((p, k) => ({ module: p.module.name, name: `u${k}`, params: [], conns: p.module.ports.map((q) => [q.name, ref(`s${k}_${q.name}`)] as [string, ReturnType<typeof ref>]) })),
  };
  files['cal_top.v'] = renderFile(['calibration samples'], [...parts.map((p) => p.module), top]);
  sources.push('cal_top.v');
  for (const p of parts) Object.assign(files, p.mems);
  const autoRoms = parts.flatMap((p) => p.autoRoms);
  const lines = [
    `read_verilog -DSYNTHESIS ${sources.join(' ')}`,
    `hierarchy -check -top ${TOP}`,
    'proc',
    'memory_collect',
    ...memoryFixes(family, false, autoRoms),
    `setattr -mod -set keep_hierarchy 1 ${parts.map((p) => p.module.name).join(' ')}`,
    ...(family === 'xc7' ? synthXilinx({ family: 'xc7', top: TOP, uram: false }) : [`synth_ice40 -top ${TOP} -device u -dsp -dffe_min_ce_use 4`]),
    `tee -q -o ${STAT_FILE} stat -json`,
  ];
  return { files, script: lines.join('; '), what: `${samples.map((s) => s.id).join(', ')} (${family})` };
}

/** Resources of sample k of a finished batch. */
export function batchResources(statText: string, k: number, family: CalFamily): SynthResources {
  return resourcesOf(flattenCounts(parseStatJson(statText), `cal_s${k}`), family === 'ice40' ? 'ice40' : 'xilinx');
}
