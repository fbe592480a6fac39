/** Wrappers (one per layer, binding its core) and the stitched top level, as typed Verilog modules. */
import { concat, konst, ref, slice, streamPorts, type VInstance, type VModule, type VPort, type VWire } from '../verilog/model.ts';
import { safeFileName } from '../verilog/sanitize.ts';
import { padTo8, type Design, type LayerInfo } from './design.ts';

const CLK = [{ name: 'ap_clk', dir: 'input' as const, width: 1 }, { name: 'ap_rst_n', dir: 'input' as const, width: 1 }];

/** File name of a layer's memory image. */
export function memFile(l: LayerInfo, suffix: string): string {
  return safeFileName(`${l.ident}_${suffix}`, 'dat');
}

/** The wrapper module of one layer: FINN-style ports, one core instance. */
export function wrapperModule(l: LayerInfo): VModule {
  const files = new Map(l.rtl.memories.map((m) => [m.param, memFile(l, m.suffix)]));
  const params = l.rtl.params.map(([k, v]) => [k, v] as const).concat(l.rtl.memories.map((m) => [m.param, files.get(m.param)!] as const));
  return {
    name: l.ident,
    comment: [`${l.kind} layer "${l.node.replace(/[^\x20-\x7e]/g, '?')}": ${l.cycles} cycles/frame`, `in ${l.input.width} bits (${l.input.perWord} x ${l.input.elem.bits}), out ${l.output.width} bits (${l.output.perWord} x ${l.output.elem.bits})`],
    ports: [...CLK, ...streamPorts('in0_V', 'in', l.input.width), ...streamPorts('out_V', 'out', l.output.width)],
    wires: [],
    assigns: [],
    instances: [{
      module: l.rtl.core, name: 'core', params,
      conns: [['ap_clk', ref('ap_clk')], ['ap_rst_n', ref('ap_rst_n')],
        ['in0_V_tdata', ref('in0_V_tdata')], ['in0_V_tvalid', ref('in0_V_tvalid')], ['in0_V_tready', ref('in0_V_tready')],
        ['out_V_tdata', ref('out_V_tdata')], ['out_V_tvalid', ref('out_V_tvalid')], ['out_V_tready', ref('out_V_tready')]],
    }],
  };
}

interface Seg { prefix: string; width: number }

function streamWires(prefix: string, width: number): VWire[] {
  return [{ name: `${prefix}_tdata`, width }, { name: `${prefix}_tvalid`, width: 1 }, { name: `${prefix}_tready`, width: 1 }];
}

function streamInst(module: string, name: string, params: VInstance['params'], from: Seg, to: Seg, extra: VInstance['conns'] = []): VInstance {
  return {
    module, name, params,
    conns: [['ap_clk', ref('ap_clk')], ['ap_rst_n', ref('ap_rst_n')],
      ['in0_V_tdata', ref(`${from.prefix}_tdata`)], ['in0_V_tvalid', ref(`${from.prefix}_tvalid`)], ['in0_V_tready', ref(`${from.prefix}_tready`)],
      ['out_V_tdata', ref(`${to.prefix}_tdata`)], ['out_V_tvalid', ref(`${to.prefix}_tvalid`)], ['out_V_tready', ref(`${to.prefix}_tready`)], ...extra],
  };
}

/** The stitched top: s_axis_0 → layer → (DWC) → FIFO → layer → … → m_axis_0, widths padded to bytes at the edges. */
export interface TopOptions {
  /** Simulation variants: FIFO occupancy counts as output ports, a source throttled to one frame per period. */
  readonly exposeFifoCounts?: boolean;
  readonly throttle?: { readonly period: number; readonly words: number };
  /** A finn_fifo_gate in front of every FIFO, capping its occupancy at a limit read from fifo_limits.dat. */
  readonly gateFifos?: boolean;
  readonly name?: string;
}

export function topModule(d: Design, opts: TopOptions = {}): VModule {
  const first = d.layers[0]!, last = d.layers[d.layers.length - 1]!;
  const inW = padTo8(first.input.width), outW = padTo8(last.output.width);
  const wires: VWire[] = [];
  const instances: VInstance[] = [];
  const countPorts: VPort[] = [];
  const assigns: VModule['assigns'][number][] = [];
  const layerIn = d.layers.map((l, i): Seg => ({ prefix: `s${i}_in`, width: l.input.width }));
  const layerOut = d.layers.map((l, i): Seg => ({ prefix: `s${i}_out`, width: l.output.width }));
  d.layers.forEach((l, i) => {
    wires.push(...streamWires(layerIn[i]!.prefix, l.input.width), ...streamWires(layerOut[i]!.prefix, l.output.width));
    instances.push(streamInst(l.ident, `${l.ident}_inst`, [], layerIn[i]!, layerOut[i]!));
  });
  d.layers.slice(1).forEach((l, j) => {
    const prod = layerOut[j]!, cons = layerIn[j + 1]!;
    let src = prod;
    if (prod.width !== cons.width) {
      const mid: Seg = { prefix: `s${j + 1}_dwc`, width: cons.width };
      wires.push(...streamWires(mid.prefix, mid.width));
      instances.push(streamInst('finn_dwc', `dwc_${j + 1}`, [['IN_BITS', prod.width], ['OUT_BITS', cons.width]], prod, mid));
      src = mid;
    }
    const depth = d.fifoDepths[j]!;
    const countBits = Math.ceil(Math.log2(depth + 1));
    if (opts.gateFifos) {
      const gated: Seg = { prefix: `s${j + 1}_gate`, width: cons.width };
      wires.push(...streamWires(gated.prefix, gated.width));
      instances.push(streamInst('finn_fifo_gate', `gate_${j + 1}`, [['WIDTH', cons.width], ['CBITS', countBits], ['INDEX', j], ['COUNT', d.fifoDepths.length]], src, gated, [['count', ref(`fifo_${j + 1}_count`)]]));
      src = gated;
    }
    if (opts.exposeFifoCounts) countPorts.push({ name: `fifo_${j + 1}_count`, dir: 'output', width: countBits });
    else wires.push({ name: `fifo_${j + 1}_count`, width: countBits, observe: true });
    instances.push(streamInst('finn_fifo', `fifo_${j + 1}`, [['WIDTH', cons.width], ['DEPTH', depth], ['RAM_STYLE', 'auto']], src, cons, [['count', ref(`fifo_${j + 1}_count`)]]));
  });
  let entry = layerIn[0]!;
  if (opts.throttle) {
    entry = { prefix: 's_thr', width: first.input.width };
    wires.push(...streamWires(entry.prefix, entry.width));
    instances.push(streamInst('finn_throttle', 'throttle', [['WIDTH', entry.width], ['PERIOD', opts.throttle.period], ['WORDS', opts.throttle.words]], entry, layerIn[0]!));
  }
  assigns.push({ lhs: `${entry.prefix}_tdata`, rhs: inW === first.input.width ? ref('s_axis_0_tdata') : slice('s_axis_0_tdata', first.input.width - 1, 0) });
  assigns.push({ lhs: `${entry.prefix}_tvalid`, rhs: ref('s_axis_0_tvalid') });
  assigns.push({ lhs: 's_axis_0_tready', rhs: ref(`${entry.prefix}_tready`) });
  const lo = layerOut[d.layers.length - 1]!;
  assigns.push({ lhs: 'm_axis_0_tdata', rhs: outW === last.output.width ? ref(`${lo.prefix}_tdata`) : concat(konst(outW - last.output.width, 0), ref(`${lo.prefix}_tdata`)) });
  assigns.push({ lhs: 'm_axis_0_tvalid', rhs: ref(`${lo.prefix}_tvalid`) });
  assigns.push({ lhs: `${lo.prefix}_tready`, rhs: ref('m_axis_0_tready') });
  return {
    name: opts.name ?? d.top,
    comment: [`stitched dataflow accelerator: ${d.layers.map((l) => l.ident).join(' -> ')}`, `s_axis_0: ${inW} bits/word, m_axis_0: ${outW} bits/word`],
    ports: [...CLK, ...streamPorts('s_axis_0', 'in', inW), ...streamPorts('m_axis_0', 'out', outW), ...countPorts],
    wires, assigns, instances,
  };
}
