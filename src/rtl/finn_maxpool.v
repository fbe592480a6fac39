// finn_maxpool: StreamingMaxPool with kernel = stride (K_H x K_W), NHWC pixels, CF = C/PE words per pixel.
// Output map: floor(IFM_H/K_H) x floor(IFM_W/K_W); each output element is the maximum over its window (two's
// complement compare if SIGNED, else unsigned; 1-bit unsigned elements, e.g. bipolar, give OR). Rows and columns
// beyond the last full window are consumed and dropped. Reads one input word every cycle (IFM_H*IFM_W*CF cycles per
// frame, also across frames): a row buffer of OW*CF words (distributed RAM, asynchronous read) keeps the running
// maxima of the current window row; the last word of a window goes to an output register + skid register, so tready
// and tvalid depend on registered state only.
`default_nettype none

module finn_maxpool #(
  parameter integer IFM_H = 4,
  parameter integer IFM_W = 4,
  parameter integer C = 1,
  parameter integer PE = 1,
  parameter integer BITS = 1,
  parameter integer SIGNED = 0,
  parameter integer K_H = 2,
  parameter integer K_W = 2
) (
  input  wire               ap_clk,
  input  wire               ap_rst_n,
  input  wire [PE*BITS-1:0] in0_V_tdata,
  input  wire               in0_V_tvalid,
  output wire               in0_V_tready,
  output wire [PE*BITS-1:0] out_V_tdata,
  output wire               out_V_tvalid,
  input  wire               out_V_tready
);

  localparam integer CF = C / PE;
  localparam integer OH = K_H > 0 ? IFM_H / K_H : 1;
  localparam integer OW = K_W > 0 ? IFM_W / K_W : 1;
  localparam integer WW = PE * BITS;
  localparam integer DEPTH = OW * CF;                       // row buffer words
  localparam integer AW = DEPTH > 1 ? $clog2(DEPTH) : 1;
  localparam integer CFW = CF > 1 ? $clog2(CF) : 1;
  localparam integer XW = $clog2(IFM_W + 1);
  localparam integer YW = $clog2(IFM_H + 1);
  localparam integer KXW = K_W > 1 ? $clog2(K_W) : 1;
  localparam integer KYW = K_H > 1 ? $clog2(K_H) : 1;
  localparam integer CF_M1 = CF - 1;
  localparam integer W_M1 = IFM_W - 1;
  localparam integer H_M1 = IFM_H - 1;
  localparam integer KW_M1 = K_W - 1;
  localparam integer KH_M1 = K_H - 1;
  localparam integer X_USED_I = OW * K_W;                   // columns x >= X_USED are dropped
  localparam integer Y_USED_I = OH * K_H;
  localparam [CFW-1:0] CF_LAST = CF_M1[CFW-1:0];
  localparam [XW-1:0] X_LAST = W_M1[XW-1:0];
  localparam [YW-1:0] Y_LAST = H_M1[YW-1:0];
  localparam [KXW-1:0] KX_LAST = KW_M1[KXW-1:0];
  localparam [KYW-1:0] KY_LAST = KH_M1[KYW-1:0];
  localparam [XW-1:0] X_USED = X_USED_I[XW-1:0];
  localparam [YW-1:0] Y_USED = Y_USED_I[YW-1:0];
  localparam [AW-1:0] CF_STEP = CF[AW-1:0];

  initial begin
    if (C < 1 || PE < 1 || C % PE != 0 || BITS < 1) begin
      $display("ERROR: finn_maxpool: need C %% PE == 0 and BITS >= 1 (C=%0d PE=%0d BITS=%0d)", C, PE, BITS);
      $finish;
    end
    if (K_H < 1 || K_W < 1 || IFM_H < K_H || IFM_W < K_W) begin
      $display("ERROR: finn_maxpool: need 1 <= K_H <= IFM_H and 1 <= K_W <= IFM_W (IFM %0dx%0d, K %0dx%0d)",
               IFM_H, IFM_W, K_H, K_W);
      $finish;
    end
  end

  // position of the incoming word: row y (ky = y mod K_H), column x (kx = x mod K_W), word cf of the pixel;
  // a = ox*CF + cf (row buffer address), ab = ox*CF
  reg  [YW-1:0] y;
  reg  [XW-1:0] x;
  reg  [CFW-1:0] cf;
  reg  [KYW-1:0] ky;
  reg  [KXW-1:0] kx;
  reg  [AW-1:0] a, ab;
  wire en;                         // low while the output stage's skid register is full: stall
  wire fire = en && in0_V_tvalid;
  wire used = (x < X_USED) && (y < Y_USED);
  wire first = (kx == {KXW{1'b0}}) && (ky == {KYW{1'b0}});
  wire last = (kx == KX_LAST) && (ky == KY_LAST);
  wire push = fire && used && last;
  assign in0_V_tready = en;

  always @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      y <= {YW{1'b0}};
      x <= {XW{1'b0}};
      cf <= {CFW{1'b0}};
      ky <= {KYW{1'b0}};
      kx <= {KXW{1'b0}};
      a <= {AW{1'b0}};
      ab <= {AW{1'b0}};
    end else if (fire) begin
      cf <= (cf == CF_LAST) ? {CFW{1'b0}} : cf + 1'b1;
      a <= a + 1'b1;
      if (cf == CF_LAST) begin
        if (x == X_LAST) begin                 // end of an image row
          x <= {XW{1'b0}};
          kx <= {KXW{1'b0}};
          a <= {AW{1'b0}};
          ab <= {AW{1'b0}};
          y <= (y == Y_LAST) ? {YW{1'b0}} : y + 1'b1;
          ky <= (ky == KY_LAST || y == Y_LAST) ? {KYW{1'b0}} : ky + 1'b1;
        end else begin
          x <= x + 1'b1;
          kx <= (kx == KX_LAST) ? {KXW{1'b0}} : kx + 1'b1;
          if (kx == KX_LAST) ab <= ab + CF_STEP;    // next window column
          else a <= ab;                             // next pixel of the same window: same row buffer words
        end
      end
    end
  end

  // running maximum: the row buffer word of this window (ignored on its first word) and the input word
  (* ram_style = "distributed" *) reg [WW-1:0] rowbuf [0:DEPTH-1];
  wire [WW-1:0] prev = rowbuf[a];
  wire [WW-1:0] res;
  genvar p;
  generate
    for (p = 0; p < PE; p = p + 1) begin : g_pe
      wire [BITS-1:0] u = in0_V_tdata[p*BITS +: BITS];
      wire [BITS-1:0] v = prev[p*BITS +: BITS];
      wire gt;
      if (SIGNED != 0) begin : g_s
        assign gt = $signed(u) > $signed(v);
      end else begin : g_u
        assign gt = u > v;
      end
      assign res[p*BITS +: BITS] = (first || gt) ? u : v;
    end
  endgenerate

  always @(posedge ap_clk) if (fire && used && !last) rowbuf[a] <= res;

  // output register + skid register
  finn_skid #(.WIDTH(WW)) u_out (
    .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .push(push), .push_data(res), .en(en),
    .out_V_tdata(out_V_tdata), .out_V_tvalid(out_V_tvalid), .out_V_tready(out_V_tready)
  );

endmodule

`default_nettype wire
