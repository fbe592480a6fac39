// finn_concat3: StreamingConcat of 3 inputs under FINN's port names (see finn_concat.v).
`default_nettype none

module finn_concat3 #(
  parameter integer SIMD = 1,
  parameter integer OBITS = 4,
  parameter integer WORDS0 = 1,
  parameter integer BITS0 = 4,
  parameter integer SIGNED0 = 0,
  parameter integer WORDS1 = 1,
  parameter integer BITS1 = 4,
  parameter integer SIGNED1 = 0,
  parameter integer WORDS2 = 1,
  parameter integer BITS2 = 4,
  parameter integer SIGNED2 = 0
) (
  input  wire                ap_clk,
  input  wire                ap_rst_n,
  input  wire [SIMD*BITS0-1:0] in0_V_tdata,
  input  wire                in0_V_tvalid,
  output wire                in0_V_tready,
  input  wire [SIMD*BITS1-1:0] in1_V_tdata,
  input  wire                in1_V_tvalid,
  output wire                in1_V_tready,
  input  wire [SIMD*BITS2-1:0] in2_V_tdata,
  input  wire                in2_V_tvalid,
  output wire                in2_V_tready,
  output wire [SIMD*OBITS-1:0] out_V_tdata,
  output wire                out_V_tvalid,
  input  wire                out_V_tready
);

  finn_concat #(
    .N(3), .SIMD(SIMD), .OBITS(OBITS), .IN_WIDTH(SIMD * (BITS0 + BITS1 + BITS2)),
    .WORDS0(WORDS0), .BITS0(BITS0), .SIGNED0(SIGNED0),
    .WORDS1(WORDS1), .BITS1(BITS1), .SIGNED1(SIGNED1),
    .WORDS2(WORDS2), .BITS2(BITS2), .SIGNED2(SIGNED2)
  ) u_concat (
    .ap_clk(ap_clk), .ap_rst_n(ap_rst_n),
    .in_V_tdata({in2_V_tdata, in1_V_tdata, in0_V_tdata}),
    .in_V_tvalid({in2_V_tvalid, in1_V_tvalid, in0_V_tvalid}),
    .in_V_tready({in2_V_tready, in1_V_tready, in0_V_tready}),
    .out_V_tdata(out_V_tdata), .out_V_tvalid(out_V_tvalid), .out_V_tready(out_V_tready)
  );

endmodule

`default_nettype wire
