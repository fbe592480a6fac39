// finn_throttle: simulation helper for FIFO sizing. Lets WORDS words through at the start of every PERIOD cycles
// (a source delivering exactly one frame per period), so FIFO occupancies measure the buffering the design needs at
// its steady-state rate instead of the backlog of an input that is faster than the bottleneck.
`default_nettype none

module finn_throttle #(
  parameter integer WIDTH = 8,
  parameter integer PERIOD = 16,
  parameter integer WORDS = 4
) (
  input  wire             ap_clk,
  input  wire             ap_rst_n,
  input  wire [WIDTH-1:0] in0_V_tdata,
  input  wire             in0_V_tvalid,
  output wire             in0_V_tready,
  output wire [WIDTH-1:0] out_V_tdata,
  output wire             out_V_tvalid,
  input  wire             out_V_tready
);

  initial begin
    if (PERIOD < 1 || WORDS < 1 || WIDTH < 1) begin
      $display("ERROR: finn_throttle: need PERIOD, WORDS, WIDTH >= 1");
      $finish;
    end
  end

  reg [31:0] cyc;
  reg [31:0] sent;
  wire open_ = sent < WORDS;
  assign out_V_tdata = in0_V_tdata;
  assign out_V_tvalid = in0_V_tvalid & open_;
  assign in0_V_tready = out_V_tready & open_;

  always @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      cyc <= 32'd0;
      sent <= 32'd0;
    end else if (cyc == PERIOD - 1) begin
      cyc <= 32'd0;
      sent <= 32'd0;
    end else begin
      cyc <= cyc + 32'd1;
      if (out_V_tvalid && out_V_tready) sent <= sent + 32'd1;
    end
  end

endmodule

`default_nettype wire
