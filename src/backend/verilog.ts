/** Wrappers (one per layer, binding its core) and the stitched top level, as typed Verilog modules. */
import { concat, konst, ref, slice, streamPorts, type VExpr, type VInstance, type VModule, type VPort, type VWire } from '../verilog/model.ts';
import { safeFileName } from '../verilog/sanitize.ts';
import { consumerStream, padTo8, producerStream, type Design, type LayerInfo, type StreamInfo } from './design.ts';

const CLK: VPort[] = [{ name: 'ap_clk', dir: 'input', width: 1 }, { name: 'ap_rst_n', dir: 'input', width: 1 }];

/** FINN's port names: in0_V, in1_V, …; out_V for a single output, out0_V, out1_V, … for several. */
export const inPortName = (k: number): string => `in${k}_V`;
export const outPortName = (k: number, count: number): string => (count === 1 ? 'out_V' : `out${k}_V`);

/** File name of a layer's memory image. */
export function memFile(l: LayerInfo, suffix: string): string {
  return safeFileName(`${l.ident}_${suffix}`, 'dat');
}

const SIGNALS = ['tdata', 'tvalid', 'tready'] as const;

/** Connections of a module's stream port `port` to the stream wires `prefix`_tdata/_tvalid/_tready. */
function streamConns(port: string, prefix: string): [string, VExpr][] {
  return SIGNALS.map((s) => [`${port}_${s}`, ref(`${prefix}_${s}`)]);
}

const clkConns = (): [string, VExpr][] => [['ap_clk', ref('ap_clk')], ['ap_rst_n', ref('ap_rst_n')]];

/** The layer's port names in order: inputs then outputs, with their widths. */
export function layerPorts(l: LayerInfo): { name: string; dir: 'in' | 'out'; k: number; stream: StreamInfo }[] {
  return [
    ...l.inputs.map((s, k) => ({ name: inPortName(k), dir: 'in' as const, k, stream: s })),
    ...l.outputs.map((s, k) => ({ name: outPortName(k, l.outputs.length), dir: 'out' as const, k, stream: s })),
  ];
}

/** The wrapper module of one layer: FINN-style ports, one core instance. */
export function wrapperModule(l: LayerInfo): VModule {
  const files = new Map(l.rtl.memories.map((m) => [m.param, memFile(l, m.suffix)]));
  const params = l.rtl.params.map(([k, v]) => [k, v] as const).concat(l.rtl.memories.map((m) => [m.param, files.get(m.param)!] as const));
  const ports = layerPorts(l);
  const describe = (s: StreamInfo): string => `${s.width} bits (${s.perWord} x ${s.elem.bits})`;
  return {
    name: l.ident,
    comment: [`${l.kind} layer "${l.node.replace(/[^\x20-\x7e]/g, '?')}": ${l.cycles} cycles/frame`, ports.map((p) => `${p.name} ${describe(p.stream)}`).join(', ')],
    ports: [...CLK, ...ports.flatMap((p) => streamPorts(p.name, p.dir, p.stream.width))],
    wires: [],
    assigns: [],
    instances: [{ module: l.rtl.core, name: 'core', params, conns: [...clkConns(), ...ports.flatMap((p) => streamConns(p.name, p.name))] }],
  };
}

interface Seg { prefix: string; width: number }

function streamWires(s: Seg): VWire[] {
  return [{ name: `${s.prefix}_tdata`, width: s.width }, { name: `${s.prefix}_tvalid`, width: 1 }, { name: `${s.prefix}_tready`, width: 1 }];
}

/** An instance of a one-in/one-out stream module (FIFO, width converter, gate, throttle) between two segments. */
function streamInst(module: string, name: string, params: VInstance['params'], from: Seg, to: Seg, extra: VInstance['conns'] = []): VInstance {
  return { module, name, params, conns: [...clkConns(), ...streamConns('in0_V', from.prefix), ...streamConns('out_V', to.prefix), ...extra] };
}

export interface TopOptions {
  /** Simulation variants: FIFO occupancy counts as output ports, a source throttled to one frame per period. */
  readonly exposeFifoCounts?: boolean;
  readonly throttle?: { readonly period: number; readonly words: number };
  /** A finn_fifo_gate in front of every FIFO, capping its occupancy at a limit read from fifo_limits.dat. */
  readonly gateFifos?: boolean;
  readonly name?: string;
}

/** Wire name of layer i's input/output port k (port 0 keeps the short form). */
const layerSeg = (i: number, dir: 'in' | 'out', k: number, width: number): Seg => ({ prefix: `s${i}_${dir}${k ? k : ''}`, width });

/** Name of FIFO j's occupancy count (FIFOs are numbered from 1 in the top, as StreamingFIFO_{j} in reports). */
export const fifoCountName = (j: number): string => `fifo_${j + 1}_count`;

/** One edge: producer port → (DWC) → (gate) → FIFO → consumer port. */
function edgeInstances(d: Design, j: number, opts: TopOptions, wires: VWire[], countPorts: VPort[]): VInstance[] {
  const e = d.edges[j]!;
  const prod = producerStream(d, e), cons = consumerStream(d, e);
  let src = layerSeg(e.from.layer, 'out', e.from.port, prod.width);
  const dst = layerSeg(e.to.layer, 'in', e.to.port, cons.width);
  const out: VInstance[] = [];
  const n = j + 1;
  if (prod.width !== cons.width) {
    const mid: Seg = { prefix: `e${n}_dwc`, width: cons.width };
    wires.push(...streamWires(mid));
    out.push(streamInst('finn_dwc', `dwc_${n}`, [['IN_BITS', prod.width], ['OUT_BITS', cons.width]], src, mid));
    src = mid;
  }
  const countBits = Math.ceil(Math.log2(e.depth + 1));
  const count: [string, VExpr] = ['count', ref(fifoCountName(j))];
  if (opts.gateFifos) {
    const gated: Seg = { prefix: `e${n}_gate`, width: cons.width };
    wires.push(...streamWires(gated));
    out.push(streamInst('finn_fifo_gate', `gate_${n}`, [['WIDTH', cons.width], ['CBITS', countBits], ['INDEX', j], ['COUNT', d.edges.length]], src, gated, [count]));
    src = gated;
  }
  if (opts.exposeFifoCounts) countPorts.push({ name: fifoCountName(j), dir: 'output', width: countBits });
  else wires.push({ name: fifoCountName(j), width: countBits, observe: true });
  const oreg: [string, number][] = d.rtl.flopMemories ? [['OREG', 1]] : [];
  out.push(streamInst('finn_fifo', `fifo_${n}`, [['WIDTH', cons.width], ['DEPTH', e.depth], ['RAM_STYLE', 'auto'], ...oreg], src, dst, [count]));
  return out;
}

/** Top-level input i → its layer port (through the throttle in the FIFO-sizing variant), byte-padded. */
function inputAssigns(d: Design, i: number, opts: TopOptions, wires: VWire[], instances: VInstance[]): VModule['assigns'] {
  const t = d.inputs[i]!, w = t.stream.width, name = `s_axis_${i}`;
  const dst = layerSeg(t.ref.layer, 'in', t.ref.port, w);
  let entry = dst;
  if (opts.throttle && i === 0) {
    entry = { prefix: 's_thr', width: w };
    wires.push(...streamWires(entry));
    instances.push(streamInst('finn_throttle', 'throttle', [['WIDTH', w], ['PERIOD', opts.throttle.period], ['WORDS', opts.throttle.words]], entry, dst));
  }
  return [
    { lhs: `${entry.prefix}_tdata`, rhs: padTo8(w) === w ? ref(`${name}_tdata`) : slice(`${name}_tdata`, w - 1, 0) },
    { lhs: `${entry.prefix}_tvalid`, rhs: ref(`${name}_tvalid`) },
    { lhs: `${name}_tready`, rhs: ref(`${entry.prefix}_tready`) },
  ];
}

function outputAssigns(d: Design, i: number): VModule['assigns'] {
  const t = d.outputs[i]!, w = t.stream.width, name = `m_axis_${i}`;
  const src = layerSeg(t.ref.layer, 'out', t.ref.port, w).prefix;
  return [
    { lhs: `${name}_tdata`, rhs: padTo8(w) === w ? ref(`${src}_tdata`) : concat(konst(padTo8(w) - w, 0), ref(`${src}_tdata`)) },
    { lhs: `${name}_tvalid`, rhs: ref(`${src}_tvalid`) },
    { lhs: `${src}_tready`, rhs: ref(`${name}_tready`) },
  ];
}

/** The stitched top: s_axis_i → layers (DWC + FIFO on every edge) → m_axis_i, widths padded to bytes at the edges. */
export function topModule(d: Design, opts: TopOptions = {}): VModule {
  const wires: VWire[] = [];
  const instances: VInstance[] = [];
  const countPorts: VPort[] = [];
  d.layers.forEach((l, i) => {
    const conns = layerPorts(l).map((p) => {
      const seg = layerSeg(i, p.dir, p.k, p.stream.width);
      wires.push(...streamWires(seg));
      return streamConns(p.name, seg.prefix);
    });
    instances.push({ module: l.ident, name: `${l.ident}_inst`, params: [], conns: [...clkConns(), ...conns.flat()] });
  });
  d.edges.forEach((_, j) => instances.push(...edgeInstances(d, j, opts, wires, countPorts)));
  const assigns = [...d.inputs.flatMap((_, i) => inputAssigns(d, i, opts, wires, instances)), ...d.outputs.flatMap((_, i) => outputAssigns(d, i))];
  const io = [...d.inputs.map((t, i) => streamPorts(`s_axis_${i}`, 'in', padTo8(t.stream.width))), ...d.outputs.map((t, i) => streamPorts(`m_axis_${i}`, 'out', padTo8(t.stream.width)))];
  return {
    name: opts.name ?? d.top,
    comment: [`stitched dataflow accelerator: ${d.layers.map((l) => l.ident).join(', ')}`,
      [...d.inputs.map((t, i) => `s_axis_${i}: ${padTo8(t.stream.width)} bits/word`), ...d.outputs.map((t, i) => `m_axis_${i}: ${padTo8(t.stream.width)} bits/word`)].join(', ')],
    ports: [...CLK, ...io.flat(), ...countPorts],
    wires, assigns, instances,
  };
}
