// finn_chpad: appends constant elements to every vector of a stream (channel padding, e.g. 784 -> 832 inputs so
// that SIMD divides the MVAU's width). Per vector: IN_WORDS words pass through, then OUT_WORDS - IN_WORDS words
// of PAD_VALUE elements follow. One word per cycle; tvalid/tdata/tready pass through combinationally while copying.
// With OUT_SIMD > SIMD (then IN_WORDS = OUT_WORDS = 1) each word is a whole vector and is widened to OUT_SIMD
// elements in the same cycle (pure wiring).
`default_nettype none

module finn_chpad #(
  parameter integer SIMD = 1,
  parameter integer OUT_SIMD = SIMD,
  parameter integer BITS = 1,
  parameter integer IN_WORDS = 1,
  parameter integer OUT_WORDS = 2,
  parameter integer PAD_VALUE = 0
) (
  input  wire                 ap_clk,
  input  wire                 ap_rst_n,
  input  wire [SIMD*BITS-1:0] in0_V_tdata,
  input  wire                 in0_V_tvalid,
  output wire                 in0_V_tready,
  output wire [OUT_SIMD*BITS-1:0] out_V_tdata,
  output wire                 out_V_tvalid,
  input  wire                 out_V_tready
);

  localparam integer CW = $clog2(OUT_WORDS + 1);
  localparam [CW-1:0] IN_W = IN_WORDS[CW-1:0];
  localparam integer LAST_I = OUT_WORDS - 1;
  localparam [CW-1:0] LAST = LAST_I[CW-1:0];
  localparam [BITS-1:0] PAD = PAD_VALUE[BITS-1:0];

  initial begin
    if (SIMD < 1 || BITS < 1 || BITS > 31 || IN_WORDS < 1 ||
        (OUT_SIMD == SIMD ? OUT_WORDS <= IN_WORDS : (OUT_SIMD < SIMD || IN_WORDS != 1 || OUT_WORDS != 1))) begin
      $display("ERROR: finn_chpad: need SIMD >= 1, 1 <= BITS <= 31, and 1 <= IN_WORDS < OUT_WORDS, or OUT_SIMD > SIMD with IN_WORDS = OUT_WORDS = 1 (SIMD=%0d OUT_SIMD=%0d IN_WORDS=%0d OUT_WORDS=%0d)", SIMD, OUT_SIMD, IN_WORDS, OUT_WORDS);
      $finish;
    end
  end

  generate if (OUT_SIMD > SIMD) begin : g_wide
    assign out_V_tdata = {{(OUT_SIMD - SIMD){PAD}}, in0_V_tdata};
    assign out_V_tvalid = in0_V_tvalid;
    assign in0_V_tready = out_V_tready;
    wire unused_clk = &{1'b0, ap_clk, ap_rst_n};   // combinational: no state
  end else begin : g_words
    reg [CW-1:0] cnt;
    wire padding = cnt >= IN_W;
    assign out_V_tdata = padding ? {SIMD{PAD}} : in0_V_tdata;
    assign out_V_tvalid = padding | in0_V_tvalid;
    assign in0_V_tready = !padding & out_V_tready;

    always @(posedge ap_clk) begin
      if (!ap_rst_n) cnt <= {CW{1'b0}};
      else if (out_V_tvalid && out_V_tready) cnt <= (cnt == LAST) ? {CW{1'b0}} : cnt + 1'b1;
    end
  end endgenerate

endmodule

`default_nettype wire
