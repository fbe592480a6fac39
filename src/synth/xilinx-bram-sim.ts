/**
 * Behavioural simulation models of the 7-series block RAMs RAMB18E1 and RAMB36E1. Yosys's xilinx/cells_sim.v declares
 * both with their ports, parameters and timing only (no behaviour: their outputs would be undriven), so the netlist
 * simulation replaces the two declarations with these models: the INIT_xx/INITP_xx contents, TDP port widths 1–36
 * (RAMB36 1–36, RAMB18 1–18) and SDP width 72 (RAMB36) / 36 (RAMB18), enables, byte write enables, WRITE_FIRST /
 * READ_FIRST / NO_CHANGE, the optional output register (DO*_REG, REGCE) and the SRVAL resets.
 */

interface Geometry { readonly name: string; readonly dataBits: number; readonly parBits: number; readonly portBits: number; readonly sdpBits: number; readonly addrBits: number }

const GEOMS: readonly Geometry[] = [
  { name: 'RAMB18E1', dataBits: 16384, parBits: 2048, portBits: 16, sdpBits: 36, addrBits: 14 },
  { name: 'RAMB36E1', dataBits: 32768, parBits: 4096, portBits: 32, sdpBits: 72, addrBits: 16 },
];

const hex2 = (i: number): string => i.toString(16).toUpperCase().padStart(2, '0');

function model(g: Geometry): string {
  const nInit = g.dataBits / 256, nPar = g.parBits / 256;
  const pw = g.portBits / 8; // parity bits per port
  const wb = g.name === 'RAMB36E1' ? 8 : 4; // WEBWE bits
  const initParams = [...Array.from({ length: nInit }, (_, i) => `INIT_${hex2(i)}`), ...Array.from({ length: nPar }, (_, i) => `INITP_${hex2(i)}`)];
  const hiA = g.addrBits === 16 ? 14 : 13; // highest address bit used (RAMB36: bit 15 is the cascade select)
  return `
module ${g.name} (
  output [${g.portBits - 1}:0] DOADO, output [${g.portBits - 1}:0] DOBDO, output [${pw - 1}:0] DOPADOP, output [${pw - 1}:0] DOPBDOP,
${g.name === 'RAMB36E1' ? '  output CASCADEOUTA, output CASCADEOUTB, output [7:0] ECCPARITY, output [8:0] RDADDRECC, output SBITERR, output DBITERR,\n  input CASCADEINA, input CASCADEINB, input INJECTDBITERR, input INJECTSBITERR,\n' : ''}  input ENARDEN, input CLKARDCLK, input RSTRAMARSTRAM, input RSTREGARSTREG, input REGCEAREGCE,
  input ENBWREN, input CLKBWRCLK, input RSTRAMB, input RSTREGB, input REGCEB,
  input [${g.addrBits - 1}:0] ADDRARDADDR, input [${g.addrBits - 1}:0] ADDRBWRADDR,
  input [${g.portBits - 1}:0] DIADI, input [${g.portBits - 1}:0] DIBDI, input [${pw - 1}:0] DIPADIP, input [${pw - 1}:0] DIPBDIP,
  input [${g.name === 'RAMB36E1' ? 3 : 1}:0] WEA, input [${wb - 1}:0] WEBWE
);
  parameter integer DOA_REG = 0;
  parameter integer DOB_REG = 0;
${initParams.map((p) => `  parameter ${p} = 256'h0;`).join('\n')}
  parameter INIT_A = ${g.sdpBits / 2}'h0;
  parameter INIT_B = ${g.sdpBits / 2}'h0;
  parameter INIT_FILE = "NONE";
  parameter RAM_MODE = "TDP";
  parameter integer READ_WIDTH_A = 0;
  parameter integer READ_WIDTH_B = 0;
  parameter integer WRITE_WIDTH_A = 0;
  parameter integer WRITE_WIDTH_B = 0;
  parameter SRVAL_A = ${g.sdpBits / 2}'h0;
  parameter SRVAL_B = ${g.sdpBits / 2}'h0;
  parameter WRITE_MODE_A = "WRITE_FIRST";
  parameter WRITE_MODE_B = "WRITE_FIRST";
  parameter RSTREG_PRIORITY_A = "RSTREG";
  parameter RSTREG_PRIORITY_B = "RSTREG";
  parameter RDADDR_COLLISION_HWCONFIG = "DELAYED_WRITE";
  parameter SIM_COLLISION_CHECK = "ALL";
  parameter SIM_DEVICE = "7SERIES";
  parameter EN_ECC_READ = "FALSE";
  parameter EN_ECC_WRITE = "FALSE";
  parameter RAM_EXTENSION_A = "NONE";
  parameter RAM_EXTENSION_B = "NONE";
  parameter IS_CLKARDCLK_INVERTED = 1'b0;
  parameter IS_CLKBWRCLK_INVERTED = 1'b0;
  parameter IS_ENARDEN_INVERTED = 1'b0;
  parameter IS_ENBWREN_INVERTED = 1'b0;
  parameter IS_RSTRAMARSTRAM_INVERTED = 1'b0;
  parameter IS_RSTRAMB_INVERTED = 1'b0;
  parameter IS_RSTREGARSTREG_INVERTED = 1'b0;
  parameter IS_RSTREGB_INVERTED = 1'b0;

  // data and parity bits, INIT_00 / INITP_00 lowest
  reg [${g.dataBits - 1}:0] mem = {${Array.from({ length: nInit }, (_, i) => `INIT_${hex2(nInit - 1 - i)}`).join(', ')}};
  reg [${g.parBits - 1}:0] par = {${Array.from({ length: nPar }, (_, i) => `INITP_${hex2(nPar - 1 - i)}`).join(', ')}};

  localparam SDP = RAM_MODE == "SDP";
  // port widths: in SDP the read width is READ_WIDTH_A (${g.sdpBits} bits over both ports), the write width WRITE_WIDTH_B
  localparam integer RWA = READ_WIDTH_A, RWB = SDP ? 0 : READ_WIDTH_B;
  localparam integer WWA = SDP ? 0 : WRITE_WIDTH_A, WWB = WRITE_WIDTH_B;
  function integer dbits(input integer w); dbits = w >= 9 ? (w / 9) * 8 : w; endfunction
  function integer pbits(input integer w); pbits = w >= 9 ? w / 9 : 0; endfunction
  function integer lg(input integer d); lg = d >= 64 ? 6 : d >= 32 ? 5 : d >= 16 ? 4 : d >= 8 ? 3 : d >= 4 ? 2 : d >= 2 ? 1 : 0; endfunction

  wire clka = CLKARDCLK ^ IS_CLKARDCLK_INVERTED, clkb = CLKBWRCLK ^ IS_CLKBWRCLK_INVERTED;
  wire ena = ENARDEN ^ IS_ENARDEN_INVERTED, enb = ENBWREN ^ IS_ENBWREN_INVERTED;
  wire rstra = RSTRAMARSTRAM ^ IS_RSTRAMARSTRAM_INVERTED, rstrb = RSTRAMB ^ IS_RSTRAMB_INVERTED;
  wire rstga = RSTREGARSTREG ^ IS_RSTREGARSTREG_INVERTED, rstgb = RSTREGB ^ IS_RSTREGB_INVERTED;

  // read value of an entry (data in the low bits, parity above), for width w at address a
  function [${g.sdpBits - 1}:0] rd(input integer w, input [${g.addrBits - 1}:0] a);
    integer d, p, e, i;
    begin
      d = dbits(w); p = pbits(w); e = a[${hiA}:0] >> lg(d);
      rd = 0;
      for (i = 0; i < d; i = i + 1) rd[i] = mem[e * d + i];
      for (i = 0; i < p; i = i + 1) rd[d + i] = par[e * p + i];
    end
  endfunction

  // write entry bits (byte enables: one per 8 data bits and its parity bit)
  task wr(input integer w, input [${g.addrBits - 1}:0] a, input [${2 * g.portBits - 1}:0] v, input [${2 * pw - 1}:0] vp, input [7:0] we);
    integer d, p, e, i;
    begin
      d = dbits(w); p = pbits(w); e = a[${hiA}:0] >> lg(d);
      for (i = 0; i < d; i = i + 1) if (we[i / 8]) mem[e * d + i] = v[i];
      for (i = 0; i < p; i = i + 1) if (we[i]) par[e * p + i] = vp[i];
    end
  endtask

  reg [${g.sdpBits - 1}:0] lat_a = INIT_A, lat_b = INIT_B, reg_a = INIT_A, reg_b = INIT_B;
  wire [${g.sdpBits - 1}:0] out_a = DOA_REG ? reg_a : lat_a, out_b = DOB_REG ? reg_b : lat_b;
  // write data and parity (SDP: both ports' halves, port A low)
  wire [${2 * g.portBits - 1}:0] din_b = SDP ? {DIBDI, DIADI} : {${g.portBits}'b0, DIBDI};
  wire [${2 * pw - 1}:0] dip_b = SDP ? {DIPBDIP, DIPADIP} : {${pw}'b0, DIPBDIP};
  wire [7:0] we_a = WWA >= 36 ? {4'b0, WEA${g.name === 'RAMB36E1' ? '' : ', WEA'}} : WWA >= 18 ? {6'b0, WEA[1:0]} : {8{WEA[0]}};
  wire [7:0] we_b = SDP ? ${g.name === 'RAMB36E1' ? 'WEBWE' : '{4\'b0, WEBWE}'} : WWB >= 36 ? {4'b0, WEBWE[3:0]} : WWB >= 18 ? {6'b0, WEBWE[1:0]} : {8{WEBWE[0]}};

  always @(posedge clka) begin
    if (ena) begin
      if (WWA > 0 && |we_a && WRITE_MODE_A == "READ_FIRST" && RWA > 0) lat_a <= rd(RWA, ADDRARDADDR);
      if (WWA > 0 && |we_a) wr(WWA, ADDRARDADDR, {${g.portBits}'b0, DIADI}, {${pw}'b0, DIPADIP}, we_a);
      if (rstra) lat_a <= SRVAL_A;
      else if (RWA > 0 && !(WWA > 0 && |we_a && WRITE_MODE_A != "WRITE_FIRST")) lat_a <= rd(RWA, ADDRARDADDR);
    end
    if (rstga) reg_a <= SRVAL_A; else if (REGCEAREGCE) reg_a <= lat_a;
  end

  always @(posedge clkb) begin
    if (enb) begin
      if (WWB > 0 && |we_b && WRITE_MODE_B == "READ_FIRST" && RWB > 0) lat_b <= rd(RWB, ADDRBWRADDR);
      if (WWB > 0 && |we_b) wr(WWB, ADDRBWRADDR, din_b, dip_b, we_b);
      if (rstrb) lat_b <= SRVAL_B;
      else if (RWB > 0 && !(WWB > 0 && |we_b && WRITE_MODE_B != "WRITE_FIRST")) lat_b <= rd(RWB, ADDRBWRADDR);
    end
    if (rstgb) reg_b <= SRVAL_B; else if (REGCEB) reg_b <= lat_b;
  end

  // SDP reads come out on both ports (port A the low half); TDP: each port its own, parity above the data
  localparam integer DA = dbits(RWA), DB = dbits(RWB);
  assign DOADO = SDP ? out_a[${g.portBits - 1}:0] : out_a >> 0;
  assign DOBDO = SDP ? out_a[${2 * g.portBits - 1}:${g.portBits}] : out_b >> 0;
  assign DOPADOP = SDP ? out_a[${2 * g.portBits + pw - 1}:${2 * g.portBits}] : (RWA >= 9 ? out_a >> DA : 0);
  assign DOPBDOP = SDP ? out_a[${2 * g.portBits + 2 * pw - 1}:${2 * g.portBits + pw}] : (RWB >= 9 ? out_b >> DB : 0);
${g.name === 'RAMB36E1' ? '  assign CASCADEOUTA = 1\'b0, CASCADEOUTB = 1\'b0, ECCPARITY = 8\'b0, RDADDRECC = 9\'b0, SBITERR = 1\'b0, DBITERR = 1\'b0;\n' : ''}endmodule
`;
}

/** Verilog of the two models. */
export function xilinxBramModels(): string {
  return `// Behavioural RAMB18E1/RAMB36E1 models for netlist simulation, generated by finn-ts (src/synth/xilinx-bram-sim.ts).\n${GEOMS.map(model).join('\n')}`;
}

/** Yosys's xilinx/cells_sim.v without its behaviourless RAMB18E1/RAMB36E1 declarations, plus the models above. */
export function xilinxCellModels(cellsSim: string): string {
  let text = cellsSim;
  for (const g of GEOMS) {
    const start = text.indexOf(`module ${g.name} (`);
    if (start < 0) continue;
    const end = text.indexOf('endmodule', start);
    text = `${text.slice(0, start)}// ${g.name}: see the behavioural model at the end of this file\n${text.slice(end + 'endmodule'.length)}`;
  }
  return `${text}\n${xilinxBramModels()}`;
}
