/** A simulation-only top that exposes every layer wrapper on its own stream ports (per-layer co-simulation in one build). */
import { ref, streamPorts, type VModule, type VPort } from '../verilog/model.ts';
import type { StreamChannel } from '../sim/testbench.ts';
import type { Design } from './design.ts';
import { layerPorts } from './verilog.ts';

export const HARNESS_NAME = 'finn_layers_harness';

/** Channels of layer i: channel k drives its input port k and reads its output port k (either may be absent). */
export interface LayerChannels { readonly first: number; readonly count: number }

export function layersHarness(d: Design): { module: VModule; channels: StreamChannel[]; layers: LayerChannels[] } {
  const ports: VPort[] = [{ name: 'ap_clk', dir: 'input', width: 1 }, { name: 'ap_rst_n', dir: 'input', width: 1 }];
  const channels: StreamChannel[] = [];
  const layers: LayerChannels[] = [];
  const instances = d.layers.map((l, i) => {
    const pre = (dir: 'in' | 'out', k: number): string => `l${i}_${dir}${k ? k : ''}`;
    const count = Math.max(l.inputs.length, l.outputs.length);
    layers.push({ first: channels.length, count });
    for (let k = 0; k < count; k++) {
      const inS = l.inputs[k], outS = l.outputs[k];
      channels.push({ ...(inS ? { in: pre('in', k) } : {}), ...(outS ? { out: pre('out', k) } : {}), inBits: inS?.width ?? 0, outBits: outS?.width ?? 0 });
    }
    const conns = layerPorts(l).flatMap((p) => {
      ports.push(...streamPorts(pre(p.dir, p.k), p.dir, p.stream.width));
      return (['tdata', 'tvalid', 'tready'] as const).map((s) => [`${p.name}_${s}`, ref(`${pre(p.dir, p.k)}_${s}`)] as const);
    });
    return { module: l.ident, name: `layer_${i}`, params: [], conns: [['ap_clk', ref('ap_clk')] as const, ['ap_rst_n', ref('ap_rst_n')] as const, ...conns] };
  });
  return { module: { name: HARNESS_NAME, comment: ['per-layer co-simulation harness (simulation only)'], ports, wires: [], assigns: [], instances }, channels, layers };
}
