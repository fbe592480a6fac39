// finn_fifo_gate: simulation helper for FIFO sizing. Sits in front of FIFO number INDEX and stops accepting words
// while that FIFO's occupancy `count` has reached a limit read at start-up from LIMIT_FILE (one hex value per FIFO),
// or from the file named by the plusarg +fifo_limits=FILE, so many depth candidates can be tried with one compiled
// simulator, several at once.
`default_nettype none

module finn_fifo_gate #(
  parameter integer WIDTH = 8,
  parameter integer CBITS = 8,
  parameter integer INDEX = 0,
  parameter integer COUNT = 1,
  parameter LIMIT_FILE = "fifo_limits.dat"
) (
  input  wire             ap_clk,
  input  wire             ap_rst_n,
  input  wire [WIDTH-1:0] in0_V_tdata,
  input  wire             in0_V_tvalid,
  output wire             in0_V_tready,
  output wire [WIDTH-1:0] out_V_tdata,
  output wire             out_V_tvalid,
  input  wire             out_V_tready,
  input  wire [CBITS-1:0] count
);

  reg [31:0] limits [0:COUNT-1];
  reg [8*256-1:0] limit_file;
  initial begin
    if (INDEX < 0 || INDEX >= COUNT || CBITS < 1 || CBITS > 31) begin
      $display("ERROR: finn_fifo_gate: need 0 <= INDEX < COUNT and 1 <= CBITS <= 31");
      $finish;
    end
    if ($value$plusargs("fifo_limits=%s", limit_file)) $readmemh(limit_file, limits);
    else $readmemh(LIMIT_FILE, limits);
  end

  /* verilator lint_off UNUSEDSIGNAL */
  wire unused = ap_clk ^ ap_rst_n;
  /* verilator lint_on UNUSEDSIGNAL */
  wire ok = {{(32 - CBITS){1'b0}}, count} < limits[INDEX];
  assign out_V_tdata = in0_V_tdata;
  assign out_V_tvalid = in0_V_tvalid & ok;
  assign in0_V_tready = out_V_tready & ok;

endmodule

`default_nettype wire
