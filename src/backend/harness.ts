/** A simulation-only top that exposes every layer wrapper on its own stream ports (per-layer co-simulation in one build). */
import { ref, streamPorts, type VModule, type VPort } from '../verilog/model.ts';
import type { StreamChannel } from '../sim/testbench.ts';
import type { Design } from './design.ts';

export const HARNESS_NAME = 'finn_layers_harness';

export function layersHarness(d: Design): { module: VModule; channels: StreamChannel[] } {
  const ports: VPort[] = [{ name: 'ap_clk', dir: 'input', width: 1 }, { name: 'ap_rst_n', dir: 'input', width: 1 }];
  const channels: StreamChannel[] = [];
  const instances = d.layers.map((l, i) => {
    ports.push(...streamPorts(`l${i}_in`, 'in', l.input.width), ...streamPorts(`l${i}_out`, 'out', l.output.width));
    channels.push({ in: `l${i}_in`, out: `l${i}_out`, inBits: l.input.width, outBits: l.output.width });
    return {
      module: l.ident, name: `layer_${i}`, params: [],
      conns: [['ap_clk', ref('ap_clk')], ['ap_rst_n', ref('ap_rst_n')],
        ['in0_V_tdata', ref(`l${i}_in_tdata`)], ['in0_V_tvalid', ref(`l${i}_in_tvalid`)], ['in0_V_tready', ref(`l${i}_in_tready`)],
        ['out_V_tdata', ref(`l${i}_out_tdata`)], ['out_V_tvalid', ref(`l${i}_out_tvalid`)], ['out_V_tready', ref(`l${i}_out_tready`)]] as const,
    };
  });
  return { module: { name: HARNESS_NAME, comment: ['per-layer co-simulation harness (simulation only)'], ports, wires: [], assigns: [], instances }, channels };
}
