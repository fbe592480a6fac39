// finn_duplicate2: DuplicateStreams with 2 outputs under FINN's port names (see finn_duplicate.v).
`default_nettype none

module finn_duplicate2 #(
  parameter integer WIDTH = 8
) (
  input  wire             ap_clk,
  input  wire             ap_rst_n,
  input  wire [WIDTH-1:0] in0_V_tdata,
  input  wire             in0_V_tvalid,
  output wire             in0_V_tready,
  output wire [WIDTH-1:0] out0_V_tdata,
  output wire             out0_V_tvalid,
  input  wire             out0_V_tready,
  output wire [WIDTH-1:0] out1_V_tdata,
  output wire             out1_V_tvalid,
  input  wire             out1_V_tready
);

  finn_duplicate #(.N(2), .WIDTH(WIDTH)) u_dup (
    .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .in0_V_tdata(in0_V_tdata), .in0_V_tvalid(in0_V_tvalid), .in0_V_tready(in0_V_tready),
    .out_V_tdata({out1_V_tdata, out0_V_tdata}), .out_V_tvalid({out1_V_tvalid, out0_V_tvalid}),
    .out_V_tready({out1_V_tready, out0_V_tready})
  );

endmodule

`default_nettype wire
