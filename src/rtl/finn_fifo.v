// finn_fifo: AXI-Stream FIFO holding up to DEPTH words, push and pop in the same cycle, `count` = words held.
// Shallow (RAM_STYLE "distributed", or "auto" with DEPTH <= 64): circular buffer with asynchronous read (LUTRAM/SRL
// or registers), output straight from the buffer. Deep ("block", "ultra", or "auto" with DEPTH > 64): RAM of DEPTH-1
// words with a registered read port feeding the output register (first word appears two cycles after the push;
// DEPTH = 2 always uses the shallow variant). OREG = 1 gives shallow FIFOs the same registered output (a memory of
// max(DEPTH-1, 2) words plus the output register; the part chooses it where a memory read is slow, e.g. iCE40, whose
// shallow memories are flip-flops behind a read multiplexer).
// tready and tvalid depend on registered state only.
`default_nettype none

module finn_fifo #(
  parameter integer WIDTH = 8,
  parameter integer DEPTH = 2,
  parameter [8*16-1:0] RAM_STYLE = "auto",
  parameter integer OREG = 0
) (
  input  wire                       ap_clk,
  input  wire                       ap_rst_n,
  input  wire [WIDTH-1:0]           in0_V_tdata,
  input  wire                       in0_V_tvalid,
  output wire                       in0_V_tready,
  output wire [WIDTH-1:0]           out_V_tdata,
  output wire                       out_V_tvalid,
  input  wire                       out_V_tready,
  output wire [$clog2(DEPTH+1)-1:0] count
);

  localparam [8*16-1:0] S_AUTO = "auto";
  localparam [8*16-1:0] S_BLOCK = "block";
  localparam [8*16-1:0] S_ULTRA = "ultra";
  localparam [8*16-1:0] S_DISTRIBUTED = "distributed";
  // the RAM variant keeps one word in its output register, so it needs DEPTH >= 3 for full throughput
  localparam integer USE_RAM = (DEPTH >= 3 && (RAM_STYLE == S_BLOCK || RAM_STYLE == S_ULTRA ||
                                (RAM_STYLE == S_AUTO && DEPTH > 64))) ? 1 : 0;
  localparam integer REG_OUT = (USE_RAM != 0 || OREG != 0) ? 1 : 0;   // the output word comes from a register
  localparam integer MD = REG_OUT == 0 ? DEPTH : (DEPTH > 2 ? DEPTH - 1 : 2);   // words in the memory
  localparam integer PW = MD > 1 ? $clog2(MD) : 1;
  localparam integer CNW = $clog2(DEPTH + 1);
  localparam integer MD_M1 = MD - 1;
  localparam [PW-1:0] P_LAST = MD_M1[PW-1:0];
  localparam [CNW-1:0] MDC = MD[CNW-1:0];

  initial begin
    if (WIDTH < 1 || DEPTH < 2) begin
      $display("ERROR: finn_fifo: need WIDTH >= 1 and DEPTH >= 2 (WIDTH=%0d DEPTH=%0d)", WIDTH, DEPTH);
      $finish;
    end
  end

  reg  [PW-1:0] wr, rd;
  reg  [PW-1:0] rd_nx;                 // rd's next value, precomputed: a pop only selects it (short read-address path)
  reg  [CNW-1:0] mcnt;                 // words in the memory
  reg  m_nz;                           // mcnt != 0 and mcnt < MD, as registers (the handshakes start at flops)
  reg  mem_ready;
  wire push = in0_V_tvalid && mem_ready;
  wire take;                           // a word leaves the memory this cycle
  assign in0_V_tready = mem_ready;

  always @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      wr <= {PW{1'b0}};
      rd <= {PW{1'b0}};
      rd_nx <= (MD > 1) ? {{(PW-1){1'b0}}, 1'b1} : {PW{1'b0}};
      mcnt <= {CNW{1'b0}};
      m_nz <= 1'b0;
      mem_ready <= 1'b1;
    end else begin
      m_nz <= push || (take ? (mcnt > {{(CNW-1){1'b0}}, 1'b1}) : m_nz);
      mem_ready <= take || (push ? (mcnt < MDC - 1'b1) : mem_ready);
      if (push) wr <= (wr == P_LAST) ? {PW{1'b0}} : wr + 1'b1;
      if (take) begin
        rd <= rd_nx;
        rd_nx <= (rd_nx == P_LAST) ? {PW{1'b0}} : rd_nx + 1'b1;
      end
      if (push && !take) mcnt <= mcnt + 1'b1;
      else if (take && !push) mcnt <= mcnt - 1'b1;
    end
  end

  generate
    if (REG_OUT == 0) begin : g_shallow
      wire [WIDTH-1:0] q;
      if (RAM_STYLE == S_DISTRIBUTED) begin : g_lut
        (* ram_style = "distributed" *) reg [WIDTH-1:0] mem [0:MD-1];
        always @(posedge ap_clk) if (push) mem[wr] <= in0_V_tdata;
        assign q = mem[rd];
      end else begin : g_auto
        reg [WIDTH-1:0] mem [0:MD-1];
        always @(posedge ap_clk) if (push) mem[wr] <= in0_V_tdata;
        assign q = mem[rd];
      end
      assign take = m_nz && out_V_tready;
      assign out_V_tdata = q;
      assign out_V_tvalid = m_nz;
      assign count = mcnt;
    end else begin : g_ram
      reg o_v;
      reg [WIDTH-1:0] o_d;
      assign take = m_nz && (!o_v || out_V_tready);
      if (USE_RAM == 0) begin : g_oreg
        reg [WIDTH-1:0] mem [0:MD-1];
        always @(posedge ap_clk) if (push) mem[wr] <= in0_V_tdata;
        always @(posedge ap_clk) if (take) o_d <= mem[rd];
      end else if (RAM_STYLE == S_ULTRA) begin : g_uram
        (* ram_style = "ultra" *) reg [WIDTH-1:0] mem [0:MD-1];
        always @(posedge ap_clk) if (push) mem[wr] <= in0_V_tdata;
        always @(posedge ap_clk) if (take) o_d <= mem[rd];
      end else begin : g_bram
        (* ram_style = "block" *) reg [WIDTH-1:0] mem [0:MD-1];
        always @(posedge ap_clk) if (push) mem[wr] <= in0_V_tdata;
        always @(posedge ap_clk) if (take) o_d <= mem[rd];
      end
      always @(posedge ap_clk) begin
        if (!ap_rst_n) o_v <= 1'b0;
        else if (take) o_v <= 1'b1;
        else if (out_V_tready) o_v <= 1'b0;
      end
      assign out_V_tdata = o_d;
      assign out_V_tvalid = o_v;
      assign count = mcnt + {{(CNW-1){1'b0}}, o_v};
    end
  endgenerate

endmodule

`default_nettype wire
