// finn_pool: Pool (FINN Pool_Batch) behind a depthwise sliding window, II = 1. Every K consecutive input words are
// one window of one channel fold (elements in (C/PE, K, PE) order per output pixel), so element q of each group of
// K words gives element q of one output word:
//   FUNC 0 (MaxPool): the maximum (two's complement compare if A_SIGNED, else unsigned; 1-bit unsigned = OR, e.g.
//                     bipolar); OBITS = ABITS.
//   FUNC 1 (QuantAvgPool, as FINN's HLS QuantAvgPoolFunction): the sum in an ACC_BITS-bit accumulator (signed iff
//                     A_SIGNED, wrapping), shifted right by SHIFT (arithmetic if signed), truncated to OBITS.
// A running register per element holds the partial result; the window's last word pushes it to finn_skid.
`default_nettype none

module finn_pool #(
  parameter integer PE = 1,
  parameter integer K = 4,
  parameter integer ABITS = 4,
  parameter integer A_SIGNED = 0,
  parameter integer FUNC = 0,
  parameter integer ACC_BITS = 6,
  parameter integer SHIFT = 0,
  parameter integer OBITS = 4
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

  localparam integer KW = K > 1 ? $clog2(K) : 1;
  localparam integer K_M1 = K - 1;
  localparam [KW-1:0] K_LAST = K_M1[KW-1:0];
  localparam integer RB = FUNC == 0 ? ABITS : ACC_BITS;                          // running value width
  localparam integer EW0 = ACC_BITS > ABITS ? ACC_BITS : ABITS;
  localparam integer EW = (EW0 > OBITS ? EW0 : OBITS) + 1;                       // signed working width

  initial begin
    if (PE < 1 || K < 1 || ABITS < 1 || OBITS < 1 || FUNC < 0 || FUNC > 1) begin
      $display("ERROR: finn_pool: need PE, K, ABITS, OBITS >= 1 and FUNC in 0..1 (PE=%0d K=%0d FUNC=%0d)", PE, K, FUNC);
      $finish;
    end
    if (FUNC == 0 && OBITS != ABITS) begin
      $display("ERROR: finn_pool: MaxPool needs OBITS = ABITS (%0d, %0d)", OBITS, ABITS);
      $finish;
    end
    if (FUNC == 1 && (ACC_BITS < 1 || SHIFT < 0)) begin
      $display("ERROR: finn_pool: QuantAvgPool needs ACC_BITS >= 1 and SHIFT >= 0 (ACC_BITS=%0d SHIFT=%0d)", ACC_BITS, SHIFT);
      $finish;
    end
  end

  wire en;
  wire fire = en && in0_V_tvalid;
  assign in0_V_tready = en;
  reg [KW-1:0] k;
  wire first = (k == {KW{1'b0}});
  wire last = (k == K_LAST);
  always @(posedge ap_clk) begin
    if (!ap_rst_n) k <= {KW{1'b0}};
    else if (fire) k <= last ? {KW{1'b0}} : k + 1'b1;
  end

  wire [PE*OBITS-1:0] res;
  genvar q;
  generate
    for (q = 0; q < PE; q = q + 1) begin : g_pe
      wire [ABITS-1:0] x = in0_V_tdata[q*ABITS +: ABITS];
      reg  [RB-1:0] run;
      wire [RB-1:0] nv;
      if (FUNC == 0) begin : g_max
        wire gt;
        if (A_SIGNED != 0) begin : g_s
          assign gt = $signed(x) > $signed(run);
        end else begin : g_u
          assign gt = x > run;
        end
        assign nv = (first || gt) ? x : run;
        assign res[q*OBITS +: OBITS] = nv;
      end else begin : g_avg
        wire [EW-1:0] xe = {{(EW-ABITS){(A_SIGNED != 0) & x[ABITS-1]}}, x};
        wire [EW-1:0] re = first ? {EW{1'b0}} : {{(EW-RB){1'b0}}, run};
        wire [EW-1:0] s = re + xe;
        assign nv = s[RB-1:0];
        // the ACC_BITS-bit sum, extended by its signedness, shifted right
        wire [EW-1:0] acc = {{(EW-RB){(A_SIGNED != 0) & nv[RB-1]}}, nv};
        wire [EW-1:0] sh = (A_SIGNED != 0) ? $unsigned($signed(acc) >>> SHIFT) : (acc >> SHIFT);
        assign res[q*OBITS +: OBITS] = sh[OBITS-1:0];
        wire unused_avg = &{1'b0, s[EW-1:RB], sh[EW-1:OBITS]};
      end
      always @(posedge ap_clk) if (fire) run <= nv;
    end
  endgenerate

  finn_skid #(.WIDTH(PE * OBITS)) u_out (
    .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .push(fire && last), .push_data(res), .en(en),
    .out_V_tdata(out_V_tdata), .out_V_tvalid(out_V_tvalid), .out_V_tready(out_V_tready)
  );

endmodule

`default_nettype wire
