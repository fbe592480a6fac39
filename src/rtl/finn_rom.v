// finn_rom: read-only memory with a registered (synchronous) read port and an enable, initialised by $readmemh.
// Used by finn_mvau (weights) and finn_mvau/finn_thresholding (thresholds). One hex word per line in INIT_FILE.
// RAM_STYLE ("auto" | "block" | "distributed" | "ultra") is attached as a literal ram_style attribute, because
// Yosys rejects attributes whose value is a parameter.
`default_nettype none

module finn_rom #(
  parameter integer WIDTH = 8,
  parameter integer DEPTH = 16,
  parameter integer ADDR_BITS = 4,
  parameter INIT_FILE = "",
  parameter [8*16-1:0] RAM_STYLE = "auto"
) (
  input  wire                 clk,
  input  wire                 en,
  input  wire [ADDR_BITS-1:0] addr,
  output reg  [WIDTH-1:0]     q
);

  localparam [8*16-1:0] S_BLOCK = "block";
  localparam [8*16-1:0] S_DISTRIBUTED = "distributed";
  localparam [8*16-1:0] S_ULTRA = "ultra";

  initial begin
    if (WIDTH < 1 || DEPTH < 1) begin
      $display("ERROR: finn_rom: WIDTH (%0d) and DEPTH (%0d) must be >= 1", WIDTH, DEPTH);
      $finish;
    end
    if ((1 << ADDR_BITS) < DEPTH) begin
      $display("ERROR: finn_rom: ADDR_BITS (%0d) too small for DEPTH (%0d)", ADDR_BITS, DEPTH);
      $finish;
    end
  end

  generate
    if (RAM_STYLE == S_BLOCK) begin : g_block
      (* ram_style = "block" *) reg [WIDTH-1:0] mem [0:DEPTH-1];
      initial if (INIT_FILE != "") $readmemh(INIT_FILE, mem);
      always @(posedge clk) if (en) q <= mem[addr];
    end else if (RAM_STYLE == S_DISTRIBUTED) begin : g_distributed
      (* ram_style = "distributed" *) reg [WIDTH-1:0] mem [0:DEPTH-1];
      initial if (INIT_FILE != "") $readmemh(INIT_FILE, mem);
      always @(posedge clk) if (en) q <= mem[addr];
    end else if (RAM_STYLE == S_ULTRA) begin : g_ultra
      (* ram_style = "ultra" *) reg [WIDTH-1:0] mem [0:DEPTH-1];
      initial if (INIT_FILE != "") $readmemh(INIT_FILE, mem);
      always @(posedge clk) if (en) q <= mem[addr];
    end else begin : g_auto
      reg [WIDTH-1:0] mem [0:DEPTH-1];
      initial if (INIT_FILE != "") $readmemh(INIT_FILE, mem);
      always @(posedge clk) if (en) q <= mem[addr];
    end
  endgenerate

endmodule

`default_nettype wire
