// finn_thresh_table: multi-threshold activation on a narrow stream by table lookup (the Thresholding layer's "table"
// implementation), AXI-Stream in and out, II = 1, same stream format as finn_thresholding. When the input has few
// bits and there are many thresholds (an 8-bit input quantizer has 255), a table of every input value's result,
// TABLE[c * 2^ABITS + x] = (#{t : x >= T[c][t]} + ACT_VAL) mod 2^OBITS, replaces NTHRESH comparators per lane.
// Each of the PE lanes reads its own copy of the table (a ROM with one read port per lane).
// Pipeline: issue (table ROM read addressed by channel and input value) -> output register + skid register.
`default_nettype none

module finn_thresh_table #(
  parameter integer C = 4,
  parameter integer PE = 1,
  parameter integer ABITS = 4,
  parameter integer OBITS = 1,
  parameter TABLE_FILE = "",
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
  localparam integer OW = PE * OBITS;
  localparam integer NFW = NF > 1 ? $clog2(NF) : 1;
  localparam integer DEPTH = C << ABITS;
  localparam integer AW = $clog2(DEPTH);
  localparam integer NF_M1 = NF - 1;
  localparam [NFW-1:0] NF_LAST = NF_M1[NFW-1:0];

  initial begin
    if (C < 1 || PE < 1 || C % PE != 0) begin
      $display("ERROR: finn_thresh_table: need C %% PE == 0 (C=%0d PE=%0d)", C, PE);
      $finish;
    end
    if (ABITS < 1 || ABITS > 16 || OBITS < 1 || OBITS > 32) begin
      $display("ERROR: finn_thresh_table: need 1 <= ABITS <= 16 and 1 <= OBITS <= 32");
      $finish;
    end
  end

  // ---------------- stage 0: issue (the table read is the pipeline register) ----------------
  wire en;                         // low while the output stage's skid register is full: stall
  wire fire0 = en && in0_V_tvalid;
  reg  [NFW-1:0] nf;
  reg  s1_v;
  assign in0_V_tready = en;

  always @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      nf <= {NFW{1'b0}};
      s1_v <= 1'b0;
    end else if (en) begin
      s1_v <= in0_V_tvalid;
      if (fire0) nf <= (nf == NF_LAST) ? {NFW{1'b0}} : nf + 1'b1;
    end
  end

  wire [OW-1:0] res;
  genvar p;
  generate
    for (p = 0; p < PE; p = p + 1) begin : g_pe
      // entry (channel nf*PE+p) * 2^ABITS + input value
      /* verilator lint_off UNUSEDSIGNAL */
      wire [31:0] a = ((nf * PE + p) << ABITS) | {{(32-ABITS){1'b0}}, in0_V_tdata[p*ABITS +: ABITS]};
      /* verilator lint_on UNUSEDSIGNAL */
      finn_rom #(.WIDTH(OBITS), .DEPTH(DEPTH), .ADDR_BITS(AW), .INIT_FILE(TABLE_FILE), .RAM_STYLE(RAM_STYLE))
        u_tab (.clk(ap_clk), .en(en), .addr(a[AW-1:0]), .q(res[p*OBITS +: OBITS]));
    end
  endgenerate

  // ---------------- output register + skid register ----------------
  wire push = en && s1_v;
  finn_skid #(.WIDTH(OW)) u_out (
    .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .push(push), .push_data(res), .en(en),
    .out_V_tdata(out_V_tdata), .out_V_tvalid(out_V_tvalid), .out_V_tready(out_V_tready)
  );

endmodule

`default_nettype wire
