// finn_concat2: StreamingConcat of 2 inputs under FINN's port names (see finn_concat.v).
`default_nettype none

module finn_concat2 #(
  parameter integer SIMD = 1,
  parameter integer OBITS = 4,
  parameter integer WORDS0 = 1,
  parameter integer BITS0 = 4,
  parameter integer SIGNED0 = 0,
  parameter integer WORDS1 = 1,
  parameter integer BITS1 = 4,
  parameter integer SIGNED1 = 0
) (
  input  wire                ap_clk,
  input  wire                ap_rst_n,
  input  wire [SIMD*BITS0-1:0] in0_V_tdata,
  input  wire                in0_V_tvalid,
  output wire                in0_V_tready,
  input  wire [SIMD*BITS1-1:0] in1_V_tdata,
  input  wire                in1_V_tvalid,
  output wire                in1_V_tready,
  output wire [SIMD*OBITS-1:0] out_V_tdata,
  output wire                out_V_tvalid,
  input  wire                out_V_tready
);

  finn_concat #(
    .N(2), .SIMD(SIMD), .OBITS(OBITS), .IN_WIDTH(SIMD * (BITS0 + BITS1)),
    .WORDS0(WORDS0), .BITS0(BITS0), .SIGNED0(SIGNED0),
    .WORDS1(WORDS1), .BITS1(BITS1), .SIGNED1(SIGNED1)
  ) u_concat (
    .ap_clk(ap_clk), .ap_rst_n(ap_rst_n),
    .in_V_tdata({in1_V_tdata, in0_V_tdata}),
    .in_V_tvalid({in1_V_tvalid, in0_V_tvalid}),
    .in_V_tready({in1_V_tready, in0_V_tready}),
    .out_V_tdata(out_V_tdata), .out_V_tvalid(out_V_tvalid), .out_V_tready(out_V_tready)
  );

endmodule

`default_nettype wire
