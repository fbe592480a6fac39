// finn_dwc: stream data width converter IN_BITS -> OUT_BITS (any widths, either direction), AXI-Stream.
// A FIFO of bits: output bits leave in the order the input bits arrived, LSB first. No flush: the stream length
// (in bits) is assumed to be a multiple of OUT_BITS. The buffer is large enough that, with tready and tvalid
// computed from registered state only, a widening converter accepts a word every cycle and a narrowing one emits a
// word every cycle (BUF >= 2*OUT+IN-1 and BUF >= OUT+2*IN-1).
`default_nettype none

module finn_dwc #(
  parameter integer IN_BITS = 8,
  parameter integer OUT_BITS = 8
) (
  input  wire                ap_clk,
  input  wire                ap_rst_n,
  input  wire [IN_BITS-1:0]  in0_V_tdata,
  input  wire                in0_V_tvalid,
  output wire                in0_V_tready,
  output wire [OUT_BITS-1:0] out_V_tdata,
  output wire                out_V_tvalid,
  input  wire                out_V_tready
);

  localparam integer BUF_A = 2 * OUT_BITS + IN_BITS - 1;
  localparam integer BUF_B = OUT_BITS + 2 * IN_BITS - 1;
  localparam integer BUF = BUF_A > BUF_B ? BUF_A : BUF_B;
  localparam integer CNW = $clog2(BUF + 1);
  localparam integer RDY_MAX_I = BUF - IN_BITS;
  localparam [CNW-1:0] RDY_MAX = RDY_MAX_I[CNW-1:0];
  localparam [CNW-1:0] OUTW = OUT_BITS[CNW-1:0];
  localparam [CNW-1:0] INW = IN_BITS[CNW-1:0];

  initial begin
    if (IN_BITS < 1 || OUT_BITS < 1) begin
      $display("ERROR: finn_dwc: IN_BITS (%0d) and OUT_BITS (%0d) must be >= 1", IN_BITS, OUT_BITS);
      $finish;
    end
  end

  reg  [BUF-1:0] data;                // bits [cnt-1:0] are valid, bit 0 is the oldest; bits above cnt are zero
  reg  [CNW-1:0] cnt;
  wire out_v = (cnt >= OUTW);
  wire in_r = (cnt <= RDY_MAX);
  wire pop = out_v && out_V_tready;
  wire push = in0_V_tvalid && in_r;

  wire [BUF-1:0] kept = pop ? (data >> OUT_BITS) : data;
  wire [CNW-1:0] cnt_kept = pop ? cnt - OUTW : cnt;
  wire [BUF-1:0] incoming = {{(BUF-IN_BITS){1'b0}}, in0_V_tdata} << cnt_kept;
  always @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      data <= {BUF{1'b0}};
      cnt <= {CNW{1'b0}};
    end else begin
      data <= push ? (kept | incoming) : kept;
      cnt <= push ? cnt_kept + INW : cnt_kept;
    end
  end

  assign in0_V_tready = in_r;
  assign out_V_tdata = data[OUT_BITS-1:0];
  assign out_V_tvalid = out_v;

endmodule

`default_nettype wire
