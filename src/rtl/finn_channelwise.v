// finn_channelwise: a per-channel parameter applied element-wise (FINN ChannelwiseOp): out = x + p[c], x * p[c],
// x <= p[c] or x >= p[c] (FUNC 0 add, 1 mul, 2 cmp_le, 3 cmp_ge; comparisons give 1/0), II = 1.
// Input word nf of a pixel holds channels nf*PE+q at element q (NF = C/PE words per pixel); one output word per
// input word. Elements are two's complement (A_SIGNED), unsigned, or bipolar (A_BIPOLAR: bit 1 = +1, 0 = -1);
// results are truncated to OBITS. Parameter word nf: parameter of channel nf*PE+q at [q*PBITS +: PBITS], signed.
`default_nettype none

module finn_channelwise #(
  parameter integer C = 4,
  parameter integer PE = 1,
  parameter integer ABITS = 4,
  parameter integer A_SIGNED = 0,
  parameter integer A_BIPOLAR = 0,
  parameter integer PBITS = 4,
  parameter integer OBITS = 4,
  parameter integer FUNC = 0,
  parameter PARAM_FILE = "",
  parameter [8*16-1:0] RAM_STYLE = "auto"
) (
  input  wire                ap_clk,
  input  wire                ap_rst_n,
  input  wire [PE*ABITS-1:0] in0_V_tdata,
  input  wire                in0_V_tvalid,
  output wire                in0_V_tready,
  output wire [PE*OBITS-1:0] out_V_tdata,
  output wire                out_V_tvalid,
  input  wire                out_V_tready
);

  localparam integer NF = C / PE;
  localparam integer NFW = NF > 1 ? $clog2(NF) : 1;
  localparam integer XW = (ABITS > PBITS ? ABITS : PBITS) + 2;   // signed operand width
  localparam integer RW = ABITS + PBITS + 2 > OBITS ? ABITS + PBITS + 2 : OBITS;  // signed result width
  localparam integer NF_M1 = NF - 1;
  localparam [NFW-1:0] NF_LAST = NF_M1[NFW-1:0];

  initial begin
    if (C < 1 || PE < 1 || C % PE != 0) begin
      $display("ERROR: finn_channelwise: need C %% PE == 0 (C=%0d PE=%0d)", C, PE);
      $finish;
    end
    if (ABITS < 1 || PBITS < 1 || OBITS < 1 || FUNC < 0 || FUNC > 3 || (A_BIPOLAR != 0 && ABITS != 1)) begin
      $display("ERROR: finn_channelwise: need ABITS, PBITS, OBITS >= 1, FUNC in 0..3, ABITS = 1 when bipolar");
      $finish;
    end
  end

  wire en;
  wire fire0 = en && in0_V_tvalid;
  reg [NFW-1:0] nf;
  assign in0_V_tready = en;
  always @(posedge ap_clk) begin
    if (!ap_rst_n) nf <= {NFW{1'b0}};
    else if (fire0) nf <= (nf == NF_LAST) ? {NFW{1'b0}} : nf + 1'b1;
  end

  reg s1_v;
  reg [PE*ABITS-1:0] s1_x;
  wire [PE*PBITS-1:0] p_q;
  always @(posedge ap_clk) begin
    if (!ap_rst_n) s1_v <= 1'b0;
    else if (en) begin
      s1_v <= in0_V_tvalid;
      s1_x <= in0_V_tdata;
    end
  end

  finn_rom #(.WIDTH(PE * PBITS), .DEPTH(NF), .ADDR_BITS(NFW), .INIT_FILE(PARAM_FILE), .RAM_STYLE(RAM_STYLE))
    u_pmem (.clk(ap_clk), .en(en), .addr(nf), .q(p_q));

  wire [PE*OBITS-1:0] res;
  genvar q;
  generate
    for (q = 0; q < PE; q = q + 1) begin : g_pe
      wire [ABITS-1:0] raw = s1_x[q*ABITS +: ABITS];
      wire [XW-1:0] xv = (A_BIPOLAR != 0) ? (raw[0] ? {{(XW-1){1'b0}}, 1'b1} : {XW{1'b1}})
                                           : {{(XW-ABITS){(A_SIGNED != 0) & raw[ABITS-1]}}, raw};
      wire [XW-1:0] pv = {{(XW-PBITS){p_q[q*PBITS+PBITS-1]}}, p_q[q*PBITS +: PBITS]};
      wire signed [RW-1:0] xs = $signed(xv);
      wire signed [RW-1:0] ps = $signed(pv);
      wire signed [RW-1:0] r = FUNC == 0 ? xs + ps
                             : FUNC == 1 ? xs * ps
                             : FUNC == 2 ? ((xs <= ps) ? 1 : 0)
                             : ((xs >= ps) ? 1 : 0);
      assign res[q*OBITS +: OBITS] = r[OBITS-1:0];
    end
  endgenerate

  finn_skid #(.WIDTH(PE * OBITS)) u_out (
    .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .push(en && s1_v), .push_data(res), .en(en),
    .out_V_tdata(out_V_tdata), .out_V_tvalid(out_V_tvalid), .out_V_tready(out_V_tready)
  );

endmodule

`default_nettype wire
