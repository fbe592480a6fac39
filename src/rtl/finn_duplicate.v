// finn_duplicate: DuplicateStreams (a fork), N output streams carrying every input word, II = 1.
// Each output has its own output register + skid register (finn_skid); an input word is taken when every output
// stage can take it (all skid registers empty), so a stalled consumer stops the fork only once its skid register
// fills, and tready depends on registered state only. Outputs are packed buses here (output k at
// [k*WIDTH +: WIDTH], valid/ready bit k); finn_duplicate<N>.v give them FINN's port names out0_V .. out<N-1>_V.
`default_nettype none

module finn_duplicate #(
  parameter integer N = 2,
  parameter integer WIDTH = 8
) (
  input  wire               ap_clk,
  input  wire               ap_rst_n,
  input  wire [WIDTH-1:0]   in0_V_tdata,
  input  wire               in0_V_tvalid,
  output wire               in0_V_tready,
  output wire [N*WIDTH-1:0] out_V_tdata,
  output wire [N-1:0]       out_V_tvalid,
  input  wire [N-1:0]       out_V_tready
);

  initial begin
    if (N < 1 || WIDTH < 1) begin
      $display("ERROR: finn_duplicate: need N >= 1 and WIDTH >= 1 (N=%0d WIDTH=%0d)", N, WIDTH);
      $finish;
    end
  end

  wire [N-1:0] en;
  wire all_en = &en;
  assign in0_V_tready = all_en;

  genvar k;
  generate
    for (k = 0; k < N; k = k + 1) begin : g_out
      finn_skid #(.WIDTH(WIDTH)) u_out (
        .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .push(all_en && in0_V_tvalid), .push_data(in0_V_tdata), .en(en[k]),
        .out_V_tdata(out_V_tdata[k*WIDTH +: WIDTH]), .out_V_tvalid(out_V_tvalid[k]), .out_V_tready(out_V_tready[k])
      );
    end
  endgenerate

endmodule

`default_nettype wire
