// finn_swg_par: ConvolutionInputGenerator with a parallel window (FINN's parallel_window = 1), no padding.
// Input: IFM_H x IFM_W pixels, row-major, one pixel (all C channels) per word. Output: for each output pixel (oy, ox)
// row-major, ONE word holding its whole K_H x K_W x C window, element (ky, kx, c) at bits
// [((ky*K_W + kx)*C + c)*BITS +: BITS] (the (kh, kw, C) order of the standard sliding window, element 0 lowest), so
// an MVAU behind it can take SIMD = K_H*K_W*C elements per cycle. OFM = (IFM-K)/S+1; pixels no window uses are
// consumed and dropped.
//
// Structure: a K_H x K_W register window `win` (pixel (ky, kx) at slot ky*K_W + kx) and, per window row except the
// last, a delay line of L = IFM_W - K_W pixels. Every accepted pixel shifts the window one column left: it enters
// at (K_H-1, K_W-1); the pixel leaving row ky+1 at kx = 0 goes through delay line ky and re-enters at (ky, K_W-1)
// exactly IFM_W shifts after it first entered, i.e. one image row up. The K_H-1 delay lines advance together, so
// they are one memory of L words x (K_H-1) pixels with one write and one registered read per shift (the read
// address runs one ahead of the write address, so block RAM works; L = 1 bypasses the memory).
// After the pixel at (y, x) has shifted in, `win` holds the window whose bottom-right pixel it is; that window is
// emitted when it is one of the OFM windows (counters track the next window column and row). One pixel per cycle:
// a frame takes IFM_H*IFM_W cycles. Output stage: finn_skid; tready = its `en` (registered state only).
`default_nettype none

module finn_swg_par #(
  parameter integer IFM_H = 4,
  parameter integer IFM_W = 4,
  parameter integer C = 1,
  parameter integer BITS = 1,
  parameter integer K_H = 3,
  parameter integer K_W = 3,
  parameter integer S_H = 1,
  parameter integer S_W = 1,
  parameter integer OFM_H = 2,
  parameter integer OFM_W = 2,
  parameter [8*16-1:0] RAM_STYLE = "auto"
) (
  input  wire                         ap_clk,
  input  wire                         ap_rst_n,
  input  wire [C*BITS-1:0]            in0_V_tdata,
  input  wire                         in0_V_tvalid,
  output wire                         in0_V_tready,
  output wire [K_H*K_W*C*BITS-1:0]    out_V_tdata,
  output wire                         out_V_tvalid,
  input  wire                         out_V_tready
);

  localparam [8*16-1:0] S_BLOCK = "block";
  localparam [8*16-1:0] S_DISTRIBUTED = "distributed";
  localparam [8*16-1:0] S_ULTRA = "ultra";

  localparam integer PW = C * BITS;                    // one pixel
  localparam integer KK = K_H * K_W;
  localparam integer WIN = KK * PW;                    // one window
  localparam integer L = IFM_W - K_W;                  // delay-line length (pixels)
  localparam integer LW = (K_H > 1 ? K_H - 1 : 1) * PW; // delay-line memory width (all rows but the last)
  localparam integer LA = L > 1 ? $clog2(L) : 1;
  localparam integer XW = $clog2(IFM_W + S_W + 1);     // column counters (the next window column may pass IFM_W)
  localparam integer YW = $clog2(IFM_H + S_H + 1);
  localparam integer OXW = $clog2(OFM_W + 1);
  localparam integer OYW = $clog2(OFM_H + 1);
  localparam integer IW_M1 = IFM_W - 1, IH_M1 = IFM_H - 1, KW_M1 = K_W - 1, KH_M1 = K_H - 1, L_M1 = L - 1;
  localparam [XW-1:0] X_LAST = IW_M1[XW-1:0];
  localparam [YW-1:0] Y_LAST = IH_M1[YW-1:0];
  localparam [XW-1:0] X_FIRST = KW_M1[XW-1:0];        // column of the first window's bottom-right pixel
  localparam [YW-1:0] Y_FIRST = KH_M1[YW-1:0];
  localparam [XW-1:0] SW_X = S_W[XW-1:0];
  localparam [YW-1:0] SH_Y = S_H[YW-1:0];
  localparam [OXW-1:0] OX_N = OFM_W[OXW-1:0];
  localparam [OYW-1:0] OY_N = OFM_H[OYW-1:0];
  localparam [LA-1:0] P_LAST = L_M1[LA-1:0];

  initial begin
    if (IFM_H < 1 || IFM_W < 1 || C < 1 || BITS < 1) begin
      $display("ERROR: finn_swg_par: need IFM_H, IFM_W, C, BITS >= 1");
      $finish;
    end
  end

  finn_window_check #(.NAME("finn_swg_par"), .IFM_H(IFM_H), .IFM_W(IFM_W), .K_H(K_H), .K_W(K_W), .S_H(S_H), .S_W(S_W),
    .OFM_H(OFM_H), .OFM_W(OFM_W)) u_check ();

  wire en;                                   // the output stage can take a window
  wire shift = in0_V_tvalid && en;
  assign in0_V_tready = en;

  // ---------------- position of the incoming pixel, and whether its window is an output window ----------------
  reg  [XW-1:0] x, nx;                       // column; column of the next window's bottom-right pixel
  reg  [YW-1:0] y, ny;
  reg  [OXW-1:0] ox;                         // windows started in this row / rows with windows in this frame
  reg  [OYW-1:0] oy;
  wire col_hit = x == nx && ox != OX_N;
  wire row_hit = y == ny && oy != OY_N;

  always @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      x <= {XW{1'b0}}; nx <= X_FIRST; ox <= {OXW{1'b0}};
      y <= {YW{1'b0}}; ny <= Y_FIRST; oy <= {OYW{1'b0}};
    end else if (shift) begin
      if (x == X_LAST) begin
        x <= {XW{1'b0}}; nx <= X_FIRST; ox <= {OXW{1'b0}};
        if (y == Y_LAST) begin
          y <= {YW{1'b0}}; ny <= Y_FIRST; oy <= {OYW{1'b0}};
        end else begin
          y <= y + 1'b1;
          if (row_hit) begin ny <= ny + SH_Y; oy <= oy + 1'b1; end
        end
      end else begin
        x <= x + 1'b1;
        if (col_hit) begin nx <= nx + SW_X; ox <= ox + 1'b1; end
      end
    end
  end

  // ---------------- the window registers and the delay lines ----------------
  reg  [WIN-1:0] win;
  wire [LW-1:0] line_in;                     // row ky+1's leaving pixel (kx = 0), for ky < K_H-1
  wire [LW-1:0] line_out;                    // what re-enters row ky at kx = K_W-1
  genvar r;
  generate
    for (r = 0; r + 1 < K_H; r = r + 1) begin : g_line_in
      assign line_in[r*PW +: PW] = win[((r + 1) * K_W) * PW +: PW];
    end
    if (K_H == 1) begin : g_no_line_in
      assign line_in = {LW{1'b0}};
    end
  endgenerate

  generate
    if (K_H == 1 || L == 0) begin : g_direct
      assign line_out = line_in;
    end else if (L == 1) begin : g_one
      reg [LW-1:0] d;
      always @(posedge ap_clk) if (shift) d <= line_in;
      assign line_out = d;
    end else begin : g_mem
      reg [LA-1:0] p;                        // write address; the read register holds mem[p]
      wire [LA-1:0] p_next = (p == P_LAST) ? {LA{1'b0}} : p + 1'b1;
      reg [LW-1:0] q;
      always @(posedge ap_clk) begin
        if (!ap_rst_n) p <= {LA{1'b0}};
        else if (shift) p <= p_next;
      end
      if (RAM_STYLE == S_BLOCK) begin : g_block
        (* ram_style = "block" *) reg [LW-1:0] mem [0:L-1];
        always @(posedge ap_clk) if (shift) mem[p] <= line_in;
        always @(posedge ap_clk) if (shift) q <= mem[p_next];
      end else if (RAM_STYLE == S_DISTRIBUTED) begin : g_distributed
        (* ram_style = "distributed" *) reg [LW-1:0] mem [0:L-1];
        always @(posedge ap_clk) if (shift) mem[p] <= line_in;
        always @(posedge ap_clk) if (shift) q <= mem[p_next];
      end else if (RAM_STYLE == S_ULTRA) begin : g_ultra
        (* ram_style = "ultra" *) reg [LW-1:0] mem [0:L-1];
        always @(posedge ap_clk) if (shift) mem[p] <= line_in;
        always @(posedge ap_clk) if (shift) q <= mem[p_next];
      end else begin : g_auto
        reg [LW-1:0] mem [0:L-1];
        always @(posedge ap_clk) if (shift) mem[p] <= line_in;
        always @(posedge ap_clk) if (shift) q <= mem[p_next];
      end
      assign line_out = q;
    end
  endgenerate

  integer ky, kx;
  always @(posedge ap_clk) begin
    if (shift) begin
      for (ky = 0; ky < K_H; ky = ky + 1) begin
        for (kx = 0; kx + 1 < K_W; kx = kx + 1) win[(ky * K_W + kx) * PW +: PW] <= win[(ky * K_W + kx + 1) * PW +: PW];
        if (ky == K_H - 1) win[(ky * K_W + K_W - 1) * PW +: PW] <= in0_V_tdata;
        else win[(ky * K_W + K_W - 1) * PW +: PW] <= line_out[ky * PW +: PW];
      end
    end
  end

  // ---------------- emit: win is the window of the pixel that just shifted in ----------------
  reg v1;
  always @(posedge ap_clk) begin
    if (!ap_rst_n) v1 <= 1'b0;
    else if (en) v1 <= shift && col_hit && row_hit;
  end

  finn_skid #(.WIDTH(WIN)) u_out (
    .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .push(en && v1), .push_data(win), .en(en),
    .out_V_tdata(out_V_tdata), .out_V_tvalid(out_V_tvalid), .out_V_tready(out_V_tready)
  );

endmodule

`default_nettype wire
