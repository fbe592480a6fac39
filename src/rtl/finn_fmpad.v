// finn_fmpad: FMPadding, constant padding around an NHWC feature map (in front of a sliding window generator).
// Input: IFM_H x IFM_W pixels, row-major, CF = C/SIMD words per pixel. Output: the (IFM_H+PAD_T+PAD_B) x
// (IFM_W+PAD_L+PAD_R) map; padded pixels are CF words with every element PAD_VALUE (a BITS-bit pattern given as a
// non-negative integer), the others are the input words in order. Frame after frame, one output word per cycle:
// OH*OW*CF cycles per frame. The generated word goes to an output register + skid register, so tready and tvalid
// depend on registered state only.
`default_nettype none

module finn_fmpad #(
  parameter integer IFM_H = 4,
  parameter integer IFM_W = 4,
  parameter integer PAD_T = 1,
  parameter integer PAD_L = 1,
  parameter integer PAD_B = 1,
  parameter integer PAD_R = 1,
  parameter integer C = 1,
  parameter integer SIMD = 1,
  parameter integer BITS = 1,
  parameter integer PAD_VALUE = 0
) (
  input  wire                 ap_clk,
  input  wire                 ap_rst_n,
  input  wire [SIMD*BITS-1:0] in0_V_tdata,
  input  wire                 in0_V_tvalid,
  output wire                 in0_V_tready,
  output wire [SIMD*BITS-1:0] out_V_tdata,
  output wire                 out_V_tvalid,
  input  wire                 out_V_tready
);

  localparam integer CF = C / SIMD;
  localparam integer OH = IFM_H + PAD_T + PAD_B;
  localparam integer OW = IFM_W + PAD_L + PAD_R;
  localparam integer WW = SIMD * BITS;
  localparam integer CFW = CF > 1 ? $clog2(CF) : 1;
  localparam integer YW = $clog2(OH + 1);
  localparam integer XW = $clog2(OW + 1);
  localparam integer CF_M1 = CF - 1;
  localparam integer OH_M1 = OH - 1;
  localparam integer OW_M1 = OW - 1;
  localparam [CFW-1:0] CF_LAST = CF_M1[CFW-1:0];
  localparam [YW-1:0] Y_LAST = OH_M1[YW-1:0];
  localparam [XW-1:0] X_LAST = OW_M1[XW-1:0];
  localparam [YW-1:0] Y_BEG = PAD_T[YW-1:0];
  localparam [YW-1:0] Y_N = IFM_H[YW-1:0];
  localparam [XW-1:0] X_BEG = PAD_L[XW-1:0];
  localparam [XW-1:0] X_N = IFM_W[XW-1:0];
  localparam [BITS-1:0] PAD = pad_bits(PAD_VALUE);

  // PAD_VALUE as a BITS-bit pattern (zero-extended beyond 32 bits)
  function [BITS-1:0] pad_bits;
    input integer v;
    integer i;
    begin
      for (i = 0; i < BITS; i = i + 1) pad_bits[i] = (i < 32) && (((v >>> i) & 1) != 0);
    end
  endfunction

  initial begin
    if (IFM_H < 1 || IFM_W < 1 || C < 1 || SIMD < 1 || BITS < 1 || C % SIMD != 0) begin
      $display("ERROR: finn_fmpad: need IFM_H, IFM_W, C, SIMD, BITS >= 1 and C %% SIMD == 0 (C=%0d SIMD=%0d)", C, SIMD);
      $finish;
    end
    if (PAD_T < 0 || PAD_L < 0 || PAD_B < 0 || PAD_R < 0) begin
      $display("ERROR: finn_fmpad: padding amounts must be >= 0 (%0d %0d %0d %0d)", PAD_T, PAD_L, PAD_B, PAD_R);
      $finish;
    end
    if (PAD_VALUE < 0 || (BITS < 31 && PAD_VALUE >= (1 << BITS))) begin
      $display("ERROR: finn_fmpad: PAD_VALUE (%0d) must be a %0d-bit pattern (0 .. 2^BITS-1)", PAD_VALUE, BITS);
      $finish;
    end
  end

  // position of the next output word: row y, column x, word cf of the pixel
  reg  [YW-1:0] y;
  reg  [XW-1:0] x;
  reg  [CFW-1:0] cf;
  wire en;                         // low while the output stage's skid register is full: stall
  // y in [PAD_T, PAD_T+IFM_H) iff (y - PAD_T) mod 2^YW < IFM_H (2^YW > OH), likewise x
  wire [YW-1:0] yr = y - Y_BEG;
  wire [XW-1:0] xr = x - X_BEG;
  wire in_img = (yr < Y_N) && (xr < X_N);
  wire push = en && (!in_img || in0_V_tvalid);
  wire [WW-1:0] res = in_img ? in0_V_tdata : {SIMD{PAD}};
  assign in0_V_tready = en && in_img;

  always @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      y <= {YW{1'b0}};
      x <= {XW{1'b0}};
      cf <= {CFW{1'b0}};
    end else if (push) begin
      cf <= (cf == CF_LAST) ? {CFW{1'b0}} : cf + 1'b1;
      if (cf == CF_LAST) begin
        x <= (x == X_LAST) ? {XW{1'b0}} : x + 1'b1;
        if (x == X_LAST) y <= (y == Y_LAST) ? {YW{1'b0}} : y + 1'b1;
      end
    end
  end

  // output register + skid register
  finn_skid #(.WIDTH(WW)) u_out (
    .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .push(push), .push_data(res), .en(en),
    .out_V_tdata(out_V_tdata), .out_V_tvalid(out_V_tvalid), .out_V_tready(out_V_tready)
  );

endmodule

`default_nettype wire
