/**
 * Vivado export (for users who have Vivado; not run here): vivado/ with the stitched design packaged as IP (IP-XACT
 * component.xml with AXI-Stream s_axis_0/m_axis_0, clock and reset), a project script for the chosen part and, for
 * Zynq boards, a block design with an AXI DMA. Generated deterministically from the build directory (no dates, no
 * absolute paths).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { padTo8, singleIo } from '../backend/design.ts';
import { findPart, type FpgaPart } from '../cost/parts.ts';
import { fail } from '../util/errors.ts';
import { outDir } from '../util/outdir.ts';
import { loadBuildDir, type BuildDir } from './build-dir.ts';
import { buildClockMhz } from '../driver/pynq.ts';

export interface ZynqBoard {
  readonly name: string;
  readonly part: string;
  readonly boardPart: string;
  readonly ps: 'zynq7' | 'zynqmp';
}

/** Boards with a block design (board parts as FINN uses them). */
export const ZYNQ_BOARDS: readonly ZynqBoard[] = [
  { name: 'Pynq-Z1', part: 'xc7z020clg400-1', boardPart: 'www.digilentinc.com:pynq-z1:part0:1.0', ps: 'zynq7' },
  { name: 'Pynq-Z2', part: 'xc7z020clg400-1', boardPart: 'tul.com.tw:pynq-z2:part0:1.0', ps: 'zynq7' },
  { name: 'ZCU104', part: 'xczu7ev-ffvc1156-2-e', boardPart: 'xilinx.com:zcu104:part0:1.1', ps: 'zynqmp' },
  { name: 'KV260', part: 'xck26-sfvc784-2LV-c', boardPart: 'xilinx.com:kv260_som:part0:1.3', ps: 'zynqmp' },
];

export interface VivadoOptions {
  /** A Zynq board (Pynq-Z1, Pynq-Z2, ZCU104, KV260): adds the block design with DMA. */
  readonly board?: string;
  /** A part (xc7z020, xczu7ev, … or a full part number) for an IP + out-of-context project without a board. */
  readonly part?: string;
  /** PL clock (MHz); default: the build's clock. */
  readonly fclkMhz?: number;
}

export const IP_VLNV = { vendor: 'finn-ts', library: 'finn', name: 'finn_design', version: '1.0' } as const;
/** DMA stream width (bytes) on the PS side. */
export const DMA_BYTES = 8;

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

interface PortDef { name: string; dir: 'in' | 'out'; width: number }

function ports(b: BuildDir): PortDef[] {
  const inW = padTo8(singleIo(b.design).input.stream.width), outW = padTo8(singleIo(b.design).output.stream.width);
  return [
    { name: 'ap_clk', dir: 'in', width: 1 }, { name: 'ap_rst_n', dir: 'in', width: 1 },
    { name: 's_axis_0_tdata', dir: 'in', width: inW }, { name: 's_axis_0_tvalid', dir: 'in', width: 1 }, { name: 's_axis_0_tready', dir: 'out', width: 1 },
    { name: 'm_axis_0_tdata', dir: 'out', width: outW }, { name: 'm_axis_0_tvalid', dir: 'out', width: 1 }, { name: 'm_axis_0_tready', dir: 'in', width: 1 },
  ];
}

function busInterface(name: string, type: string, mode: 'slave' | 'master', maps: readonly (readonly [string, string])[], params: readonly (readonly [string, string])[] = []): string[] {
  const lib = type === 'axis' ? 'interface' : 'signal';
  return [
    '    <spirit:busInterface>',
    `      <spirit:name>${name}</spirit:name>`,
    `      <spirit:busType spirit:vendor="xilinx.com" spirit:library="${lib}" spirit:name="${type}" spirit:version="1.0"/>`,
    `      <spirit:abstractionType spirit:vendor="xilinx.com" spirit:library="${lib}" spirit:name="${type}_rtl" spirit:version="1.0"/>`,
    `      <spirit:${mode}/>`,
    '      <spirit:portMaps>',
    ...maps.flatMap(([l, p]) => [
      '        <spirit:portMap>',
      `          <spirit:logicalPort><spirit:name>${l}</spirit:name></spirit:logicalPort>`,
      `          <spirit:physicalPort><spirit:name>${p}</spirit:name></spirit:physicalPort>`,
      '        </spirit:portMap>',
    ]),
    '      </spirit:portMaps>',
    ...(params.length ? ['      <spirit:parameters>', ...params.flatMap(([k, v]) => [
      '        <spirit:parameter>',
      `          <spirit:name>${k}</spirit:name>`,
      `          <spirit:value spirit:id="BUSIFPARAM_VALUE.${name.toUpperCase()}.${k}">${esc(v)}</spirit:value>`,
      '        </spirit:parameter>',
    ]), '      </spirit:parameters>'] : []),
    '    </spirit:busInterface>',
  ];
}

/** IP-XACT (IEEE 1685-2009, as Vivado's IP packager writes it) for the stitched design; files under src/. */
export function componentXml(b: BuildDir, fclkMhz: number): string {
  const files = [...b.sources.map((f) => ({ f, type: 'verilogSource' })), ...b.memories.map((f) => ({ f, type: 'mem' }))];
  const fileEntries = (): string[] => files.flatMap(({ f, type }) => type === 'mem'
    ? ['        <spirit:file>', `          <spirit:name>src/${esc(f)}</spirit:name>`, '          <spirit:userFileType>mem</spirit:userFileType>', '          <spirit:userFileType>USED_IN_implementation</spirit:userFileType>', '          <spirit:userFileType>USED_IN_synthesis</spirit:userFileType>', '        </spirit:file>']
    : ['        <spirit:file>', `          <spirit:name>src/${esc(f)}</spirit:name>`, `          <spirit:fileType>${type}</spirit:fileType>`, '        </spirit:file>']);
  const portXml = ports(b).flatMap((p) => [
    '      <spirit:port>',
    `        <spirit:name>${p.name}</spirit:name>`,
    '        <spirit:wire>',
    `          <spirit:direction>${p.dir}</spirit:direction>`,
    ...(p.width > 1 ? ['          <spirit:vector>', `            <spirit:left spirit:format="long">${p.width - 1}</spirit:left>`, '            <spirit:right spirit:format="long">0</spirit:right>', '          </spirit:vector>'] : []),
    '          <spirit:wireTypeDefs>',
    '            <spirit:wireTypeDef>',
    `              <spirit:typeName>${p.width > 1 ? 'wire' : 'wire'}</spirit:typeName>`,
    '              <spirit:viewNameRef>xilinx_anylanguagesynthesis</spirit:viewNameRef>',
    '              <spirit:viewNameRef>xilinx_anylanguagebehavioralsimulation</spirit:viewNameRef>',
    '            </spirit:wireTypeDef>',
    '          </spirit:wireTypeDefs>',
    '        </spirit:wire>',
    '      </spirit:port>',
  ]);
  const view = (name: string, env: string, fileset: string): string[] => [
    '      <spirit:view>',
    `        <spirit:name>${name}</spirit:name>`,
    `        <spirit:envIdentifier>${env}</spirit:envIdentifier>`,
    '        <spirit:language>Verilog</spirit:language>',
    `        <spirit:modelName>${b.design.top}</spirit:modelName>`,
    `        <spirit:fileSetRef><spirit:localName>${fileset}</spirit:localName></spirit:fileSetRef>`,
    '      </spirit:view>',
  ];
  const stream = (n: string) => [['TDATA', `${n}_tdata`], ['TVALID', `${n}_tvalid`], ['TREADY', `${n}_tready`]] as const;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!-- Generated by finn-ts from the build\'s rtl/; do not edit. Untested with Vivado on the machine that generated it. -->',
    '<spirit:component xmlns:xilinx="http://www.xilinx.com" xmlns:spirit="http://www.spiritconsortium.org/XMLSchema/SPIRIT/1685-2009" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
    `  <spirit:vendor>${IP_VLNV.vendor}</spirit:vendor>`,
    `  <spirit:library>${IP_VLNV.library}</spirit:library>`,
    `  <spirit:name>${IP_VLNV.name}</spirit:name>`,
    `  <spirit:version>${IP_VLNV.version}</spirit:version>`,
    '  <spirit:busInterfaces>',
    ...busInterface('s_axis_0', 'axis', 'slave', stream('s_axis_0')),
    ...busInterface('m_axis_0', 'axis', 'master', stream('m_axis_0')),
    ...busInterface('ap_rst_n', 'reset', 'slave', [['RST', 'ap_rst_n']], [['POLARITY', 'ACTIVE_LOW']]),
    ...busInterface('ap_clk', 'clock', 'slave', [['CLK', 'ap_clk']], [['ASSOCIATED_BUSIF', 's_axis_0:m_axis_0'], ['ASSOCIATED_RESET', 'ap_rst_n'], ['FREQ_HZ', String(Math.round(fclkMhz * 1e6))]]),
    '  </spirit:busInterfaces>',
    '  <spirit:model>',
    '    <spirit:views>',
    ...view('xilinx_anylanguagesynthesis', ':vivado.xilinx.com:synthesis', 'xilinx_anylanguagesynthesis_view_fileset'),
    ...view('xilinx_anylanguagebehavioralsimulation', ':vivado.xilinx.com:simulation', 'xilinx_anylanguagebehavioralsimulation_view_fileset'),
    '    </spirit:views>',
    '    <spirit:ports>',
    ...portXml,
    '    </spirit:ports>',
    '  </spirit:model>',
    '  <spirit:fileSets>',
    '    <spirit:fileSet>',
    '      <spirit:name>xilinx_anylanguagesynthesis_view_fileset</spirit:name>',
    ...fileEntries(),
    '    </spirit:fileSet>',
    '    <spirit:fileSet>',
    '      <spirit:name>xilinx_anylanguagebehavioralsimulation_view_fileset</spirit:name>',
    ...fileEntries(),
    '    </spirit:fileSet>',
    '  </spirit:fileSets>',
    `  <spirit:description>finn-ts streaming dataflow accelerator: ${esc(b.design.layers.map((l) => l.ident).join(' -&gt; ').replace(/&amp;gt;/g, '&gt;'))}</spirit:description>`,
    '  <spirit:parameters>',
    '    <spirit:parameter>',
    '      <spirit:name>Component_Name</spirit:name>',
    `      <spirit:value spirit:resolve="user" spirit:id="PARAM_VALUE.Component_Name" spirit:order="1">${IP_VLNV.name}_v1_0</spirit:value>`,
    '    </spirit:parameter>',
    '  </spirit:parameters>',
    '  <spirit:vendorExtensions>',
    '    <xilinx:coreExtensions>',
    '      <xilinx:supportedFamilies>',
    ...['zynq', 'zynquplus', 'virtexuplus', 'kintexuplus', 'artix7', 'kintex7', 'virtex7'].map((f) => `        <xilinx:family xilinx:lifeCycle="Production">${f}</xilinx:family>`),
    '      </xilinx:supportedFamilies>',
    '      <xilinx:taxonomies>',
    '        <xilinx:taxonomy>/UserIP</xilinx:taxonomy>',
    '      </xilinx:taxonomies>',
    `      <xilinx:displayName>finn-ts ${esc(b.design.top)}</xilinx:displayName>`,
    '    </xilinx:coreExtensions>',
    '  </spirit:vendorExtensions>',
    '</spirit:component>',
    '',
  ].join('\n');
}

/** AXI-Stream TLAST after every `frames` output frames (frames = 0 behaves as 1); a pass-through otherwise. */
export const TLAST_VERILOG = `// finn_tlast: AXI-Stream pass-through that asserts TLAST on the last word of every \`frames\` frames, so an AXI DMA
// S2MM transfer ends after a batch. Generated by finn-ts (vivado/src); do not edit.
\`default_nettype none
module finn_tlast #(
  parameter integer WIDTH = 8,
  parameter integer WORDS_PER_FRAME = 1
) (
  input  wire             ap_clk,
  input  wire             ap_rst_n,
  input  wire [31:0]      frames,
  input  wire [WIDTH-1:0] s_axis_tdata,
  input  wire             s_axis_tvalid,
  output wire             s_axis_tready,
  output wire [WIDTH-1:0] m_axis_tdata,
  output wire             m_axis_tvalid,
  input  wire             m_axis_tready,
  output wire             m_axis_tlast
);
  localparam [31:0] LAST_WORD = WORDS_PER_FRAME - 1;
  reg [31:0] word, frame;
  wire [31:0] last_frame = (frames == 32'd0) ? 32'd0 : frames - 32'd1;
  wire eof = (word == LAST_WORD);
  assign m_axis_tdata = s_axis_tdata;
  assign m_axis_tvalid = s_axis_tvalid;
  assign s_axis_tready = m_axis_tready;
  assign m_axis_tlast = eof && (frame >= last_frame);
  always @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      word <= 32'd0;
      frame <= 32'd0;
    end else if (s_axis_tvalid && m_axis_tready) begin
      word <= eof ? 32'd0 : word + 32'd1;
      if (eof) frame <= (frame >= last_frame) ? 32'd0 : frame + 32'd1;
    end
  end
endmodule
\`default_nettype wire
`;

const tclList = (xs: readonly string[]): string => xs.map((x) => `  "${x}"`).join(' \\\n');

/** vivado/create_project.tcl. */
export function projectTcl(b: BuildDir, part: FpgaPart, board: ZynqBoard | undefined, fclkMhz: number): string {
  const inBytes = padTo8(singleIo(b.design).input.stream.width) / 8;
  const outBytes = padTo8(singleIo(b.design).output.stream.width) / 8;
  const srcs = b.sources.map((f) => `$ip_dir/src/${f}`);
  const mems = b.memories.map((f) => `$ip_dir/src/${f}`);
  const fullPart = board ? board.part : part.fullName;
  const lines = [
    '# Generated by finn-ts from a build directory; do not edit. UNTESTED: no Vivado was available where it was generated.',
    '# Usage: vivado -mode batch -source create_project.tcl   (from any directory; paths are relative to this script)',
    `# Part ${fullPart}${board ? `, board ${board.name} (${board.boardPart})` : ''}; PL clock ${fclkMhz} MHz (the build's clock).`,
    'set script_dir [file dirname [file normalize [info script]]]',
    'set ip_dir "$script_dir/ip"',
    'set proj_dir "$script_dir/project"',
    `set part "${fullPart}"`,
    `set fclk_mhz ${fclkMhz}`,
    '',
    'create_project finn_vivado $proj_dir -part $part -force',
    ...(board ? [`set_property board_part ${board.boardPart} [current_project]`] : []),
    'set_property target_language Verilog [current_project]',
    '',
    '# the stitched design as IP (ip/component.xml: AXI-Stream s_axis_0 / m_axis_0, ap_clk, ap_rst_n; sources in ip/src)',
    'set_property ip_repo_paths [list $ip_dir] [current_project]',
    'update_ip_catalog',
    '',
  ];
  if (!board) {
    lines.push(
      '# no board: the co-simulated Verilog and its $readmemh memory images (found by plain file name) synthesized out of',
      '# context for the part, with a hierarchical utilization report',
      `add_files -norecurse [list \\\n${tclList(srcs)}]`,
      ...(mems.length ? [`add_files -norecurse [list \\\n${tclList(mems)}]`, 'set_property file_type {Memory Initialization Files} [get_files -of_objects [get_filesets sources_1] *.dat]'] : []),
      `set_property top ${b.design.top} [current_fileset]`,
      `create_clock -period [expr {1000.0 / $fclk_mhz}] -name ap_clk [get_ports ap_clk] -quiet`,
      'set_property -name {STEPS.SYNTH_DESIGN.ARGS.MORE OPTIONS} -value {-mode out_of_context} -objects [get_runs synth_1]',
      'launch_runs synth_1 -jobs 4',
      'wait_on_run synth_1',
      'open_run synth_1',
      'file mkdir "$script_dir/../report"',
      'report_utilization -hierarchical -file "$script_dir/../report/vivado_post_synth_utilization.rpt"',
      '',
    );
    return `${lines.join('\n')}\n`;
  }
  const zynq7 = board.ps === 'zynq7';
  lines.push(
    '# block design: PS -> AXI DMA (MM2S) -> width converter -> finn_design -> TLAST -> width converter -> AXI DMA (S2MM)',
    'add_files -norecurse "$script_dir/src/finn_tlast.v"',
    'create_bd_design "finn_bd"',
    zynq7
      ? 'create_bd_cell -type ip -vlnv [lindex [get_ipdefs -filter {NAME == processing_system7}] end] ps'
      : 'create_bd_cell -type ip -vlnv [lindex [get_ipdefs -filter {NAME == zynq_ultra_ps_e}] end] ps',
    zynq7
      ? 'apply_bd_automation -rule xilinx.com:bd_rule:processing_system7 -config {make_external "FIXED_IO, DDR" apply_board_preset "1" Master "Disable" Slave "Disable"} [get_bd_cells ps]'
      : 'apply_bd_automation -rule xilinx.com:bd_rule:zynq_ultra_ps_e -config {apply_board_preset "1"} [get_bd_cells ps]',
    zynq7
      ? 'set_property -dict [list CONFIG.PCW_FPGA0_PERIPHERAL_FREQMHZ $fclk_mhz CONFIG.PCW_USE_S_AXI_HP0 {1} CONFIG.PCW_USE_M_AXI_GP0 {1}] [get_bd_cells ps]'
      : 'set_property -dict [list CONFIG.PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ $fclk_mhz CONFIG.PSU__USE__S_AXI_GP2 {1} CONFIG.PSU__USE__M_AXI_GP0 {1} CONFIG.PSU__USE__M_AXI_GP1 {0}] [get_bd_cells ps]',
    `set clk ${zynq7 ? '/ps/FCLK_CLK0' : '/ps/pl_clk0'}`,
    `set master ${zynq7 ? '/ps/M_AXI_GP0' : '/ps/M_AXI_HPM0_FPD'}`,
    `set hp ${zynq7 ? '/ps/S_AXI_HP0' : '/ps/S_AXI_HP0_FPD'}`,
    '',
    'create_bd_cell -type ip -vlnv [lindex [get_ipdefs -filter {NAME == axi_dma}] end] axi_dma_0',
    `set_property -dict [list CONFIG.c_include_sg {0} CONFIG.c_sg_length_width {26} CONFIG.c_m_axis_mm2s_tdata_width {${DMA_BYTES * 8}} CONFIG.c_s_axis_s2mm_tdata_width {${DMA_BYTES * 8}} CONFIG.c_mm2s_burst_size {64} CONFIG.c_s2mm_burst_size {64}] [get_bd_cells axi_dma_0]`,
    'create_bd_cell -type ip -vlnv [lindex [get_ipdefs -filter {NAME == axi_gpio}] end] axi_gpio_0',
    'set_property -dict [list CONFIG.C_GPIO_WIDTH {32} CONFIG.C_ALL_OUTPUTS {1} CONFIG.C_DOUT_DEFAULT {0x00000001}] [get_bd_cells axi_gpio_0]',
    `create_bd_cell -type ip -vlnv ${IP_VLNV.vendor}:${IP_VLNV.library}:${IP_VLNV.name}:${IP_VLNV.version} finn_design_0`,
    'create_bd_cell -type ip -vlnv [lindex [get_ipdefs -filter {NAME == axis_dwidth_converter}] end] dwc_in',
    `set_property -dict [list CONFIG.S_TDATA_NUM_BYTES {${DMA_BYTES}} CONFIG.M_TDATA_NUM_BYTES {${inBytes}}] [get_bd_cells dwc_in]`,
    `create_bd_cell -type module -reference finn_tlast tlast_0`,
    `set_property -dict [list CONFIG.WIDTH {${outBytes * 8}} CONFIG.WORDS_PER_FRAME {${singleIo(b.design).output.stream.wordsPerFrame}}] [get_bd_cells tlast_0]`,
    'create_bd_cell -type ip -vlnv [lindex [get_ipdefs -filter {NAME == axis_dwidth_converter}] end] dwc_out',
    `set_property -dict [list CONFIG.S_TDATA_NUM_BYTES {${outBytes}} CONFIG.M_TDATA_NUM_BYTES {${DMA_BYTES}} CONFIG.HAS_TLAST {1} CONFIG.HAS_TKEEP {1}] [get_bd_cells dwc_out]`,
    '',
    'connect_bd_intf_net [get_bd_intf_pins axi_dma_0/M_AXIS_MM2S] [get_bd_intf_pins dwc_in/S_AXIS]',
    'connect_bd_intf_net [get_bd_intf_pins dwc_in/M_AXIS] [get_bd_intf_pins finn_design_0/s_axis_0]',
    'connect_bd_net [get_bd_pins finn_design_0/m_axis_0_tdata] [get_bd_pins tlast_0/s_axis_tdata]',
    'connect_bd_net [get_bd_pins finn_design_0/m_axis_0_tvalid] [get_bd_pins tlast_0/s_axis_tvalid]',
    'connect_bd_net [get_bd_pins finn_design_0/m_axis_0_tready] [get_bd_pins tlast_0/s_axis_tready]',
    'connect_bd_net [get_bd_pins tlast_0/m_axis_tdata] [get_bd_pins dwc_out/s_axis_tdata]',
    'connect_bd_net [get_bd_pins tlast_0/m_axis_tvalid] [get_bd_pins dwc_out/s_axis_tvalid]',
    'connect_bd_net [get_bd_pins tlast_0/m_axis_tready] [get_bd_pins dwc_out/s_axis_tready]',
    'connect_bd_net [get_bd_pins tlast_0/m_axis_tlast] [get_bd_pins dwc_out/s_axis_tlast]',
    'connect_bd_net [get_bd_pins axi_gpio_0/gpio_io_o] [get_bd_pins tlast_0/frames]',
    'connect_bd_intf_net [get_bd_intf_pins dwc_out/M_AXIS] [get_bd_intf_pins axi_dma_0/S_AXIS_S2MM]',
    '',
    '# AXI-Lite control (DMA, GPIO) from the PS, DMA data to the high-performance port, one clock and reset for all',
    'apply_bd_automation -rule xilinx.com:bd_rule:axi4 -config [list Clk_master $clk Clk_slave $clk Clk_xbar $clk Master $master Slave /axi_dma_0/S_AXI_LITE intc_ip {New AXI Interconnect}] [get_bd_intf_pins axi_dma_0/S_AXI_LITE]',
    'apply_bd_automation -rule xilinx.com:bd_rule:axi4 -config [list Clk_master $clk Clk_slave $clk Clk_xbar $clk Master $master Slave /axi_gpio_0/S_AXI intc_ip {Auto}] [get_bd_intf_pins axi_gpio_0/S_AXI]',
    'apply_bd_automation -rule xilinx.com:bd_rule:axi4 -config [list Clk_master $clk Clk_slave $clk Clk_xbar $clk Master /axi_dma_0/M_AXI_MM2S Slave $hp intc_ip {Auto}] [get_bd_intf_pins $hp]',
    'apply_bd_automation -rule xilinx.com:bd_rule:axi4 -config [list Clk_master $clk Clk_slave $clk Clk_xbar $clk Master /axi_dma_0/M_AXI_S2MM Slave $hp intc_ip {Auto}] [get_bd_intf_pins axi_dma_0/M_AXI_S2MM]',
    'set rst [get_bd_pins -of_objects [get_bd_cells -filter {VLNV =~ "*proc_sys_reset*"}] -filter {NAME == peripheral_aresetn}]',
    'foreach p {finn_design_0/ap_clk tlast_0/ap_clk dwc_in/aclk dwc_out/aclk} { connect_bd_net [get_bd_pins $clk] [get_bd_pins $p] }',
    'foreach p {finn_design_0/ap_rst_n tlast_0/ap_rst_n dwc_in/aresetn dwc_out/aresetn} { connect_bd_net [lindex $rst 0] [get_bd_pins $p] }',
    'assign_bd_address',
    'validate_bd_design',
    'save_bd_design',
    '',
    'make_wrapper -files [get_files finn_bd.bd] -top',
    'add_files -norecurse [glob "$proj_dir/finn_vivado.gen/sources_1/bd/finn_bd/hdl/finn_bd_wrapper.v"]',
    'set_property top finn_bd_wrapper [current_fileset]',
    'launch_runs impl_1 -to_step write_bitstream -jobs 4',
    'wait_on_run impl_1',
    '',
    '# bitstream and hardware handoff for PYNQ (the driver looks for finn-accel.bit/.hwh beside driver.py)',
    'file mkdir "$script_dir/../bitfile"',
    'file copy -force [glob "$proj_dir/finn_vivado.runs/impl_1/*.bit"] "$script_dir/../bitfile/finn-accel.bit"',
    'file copy -force [glob "$proj_dir/finn_vivado.gen/sources_1/bd/finn_bd/hw_handoff/finn_bd.hwh"] "$script_dir/../bitfile/finn-accel.hwh"',
    'open_run impl_1',
    'file mkdir "$script_dir/../report"',
    'report_utilization -hierarchical -file "$script_dir/../report/vivado_post_route_utilization.rpt"',
    'report_timing_summary -file "$script_dir/../report/vivado_post_route_timing.rpt"',
    '',
  );
  return `${lines.join('\n')}\n`;
}

function readmeText(b: BuildDir, part: FpgaPart, board: ZynqBoard | undefined, fclkMhz: number): string {
  return `# Vivado project for this build (generated by finn-ts; untested here)

No Vivado was available where this directory was generated, so nothing here has been run. The RTL under ip/src/ is
byte-for-byte the build's rtl/ (the co-simulated design; compare with report/verification.json rtl_sha256).

- \`ip/component.xml\`: the stitched design \`${b.design.top}\` as IP ${IP_VLNV.vendor}:${IP_VLNV.library}:${IP_VLNV.name}:${IP_VLNV.version}
  (AXI-Stream slave s_axis_0, master m_axis_0 without TLAST, clock ap_clk at ${fclkMhz} MHz, active-low reset ap_rst_n).
- \`create_project.tcl\`: \`vivado -mode batch -source create_project.tcl\` creates \`project/\` for ${board ? board.part : part.fullName}${board
    ? ` with the ${board.name} board preset and a block design (PS, AXI DMA, AXI-Stream width converters, finn_tlast and an
  AXI GPIO holding the frames per S2MM transfer), then writes ../bitfile/finn-accel.bit and .hwh for driver/driver.py.`
    : `, synthesizes the design out of context and writes ../report/vivado_post_synth_utilization.rpt.
  For a block design with DMA regenerate with a Zynq board (Pynq-Z1, Pynq-Z2, ZCU104, KV260).`}
- \`src/finn_tlast.v\`: TLAST every \`frames\` output frames (set by the driver through axi_gpio_0).
`;
}

/** Write vivado/ for a build directory. Returns the files written (relative to the build directory). */
export function writeVivadoProject(buildDir: string, o: VivadoOptions): string[] {
  const b = loadBuildDir(buildDir);
  let board: ZynqBoard | undefined;
  if (o.board) {
    board = ZYNQ_BOARDS.find((x) => x.name.toLowerCase() === o.board!.toLowerCase());
    if (!board) fail('E_PART', `no block design for board "${o.board}"`, `boards: ${ZYNQ_BOARDS.map((x) => x.name).join(', ')}; or give --part for an IP-only project`);
    if (o.part && findPart(o.part).name !== findPart(board.part).name) fail('E_USAGE', `--board ${board.name} has part ${board.part}, but --part ${o.part} was given`, 'give --board for a block design on that board, or --part alone for an IP-only project');
  }
  const part = findPart(board ? board.part : (o.part ?? fail('E_USAGE', 'the Vivado export needs --board or --part')));
  if (part.family === 'ice40') fail('E_PART', `${part.name} is not a Xilinx part`, 'use finn synth --part ice40-… for iCE40 bitstreams');
  const fclk = o.fclkMhz ?? buildClockMhz(b).mhz;
  const out = outDir(b.root);
  const written: string[] = [];
  const w = (rel: string, data: string | Uint8Array): void => { out.write(rel, data); written.push(rel); };
  for (const f of [...b.sources, ...b.memories]) w(`vivado/ip/src/${f}`, readFileSync(join(b.rtlDir, f)));
  w('vivado/ip/component.xml', componentXml(b, fclk));
  w('vivado/src/finn_tlast.v', TLAST_VERILOG);
  w('vivado/create_project.tcl', projectTcl(b, part, board, fclk));
  w('vivado/README.md', readmeText(b, part, board, fclk));
  return written;
}
