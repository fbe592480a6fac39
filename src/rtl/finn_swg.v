// finn_swg: ConvolutionInputGenerator (sliding window generator), no padding (FMPadding goes in front).
// Input: IFM_H x IFM_W pixels, row-major, CF = C/SIMD words per pixel. Output: for each output pixel (oy, ox)
// row-major, for ky < K_H, kx < K_W, cf < CF the word holding channels cf*SIMD .. cf*SIMD+SIMD-1 of input pixel
// (oy*S_H+ky, ox*S_W+kx); OFM = (IFM-K)/S+1. Input pixels no window uses are consumed and dropped.
// DEPTHWISE = 1 (FINN's depthwise mode, for a VVAU or Pool with PE = SIMD behind it): per output pixel the loops are
// cf, ky, kx instead (each fold of SIMD channels sees its whole window before the next fold), i.e. elements in
// (C/SIMD, K_H, K_W, SIMD) order; the line buffer, the writer and the timing are the same.
//
// Line buffer: a circular buffer of R image rows, R = K_H+S_H-1 (2 if that is 1 and OFM_W = 1), R*IFM_W*CF words in a
// simple dual-port RAM with a registered read (RAM_STYLE attribute). Every input word is written in order; image row
// g (counted over all frames) goes to row slot g mod R. A writer and a reader run concurrently, one word per cycle each:
//   reader: emits the windows in order; word (row gr, column word rc) may be read once the writer is past it.
//   writer: may overwrite the slot of row g-R when that row is older than the base row gb of the window being
//           emitted, or is gb itself and the column lies left of the window (no later window of this output row
//           needs it; the next output rows start below gb).
// The R-row buffer lets the writer fetch the S_H new rows of the next output row (and the first rows of the next
// frame) while the current windows are emitted, so a frame takes about max(input words, output words) cycles plus
// a fill of less than K_H rows. Read pipeline: issue -> RAM read register -> output register + skid register; the
// reader stops only while the skid register is full, so tready and tvalid depend on registered state only.
`default_nettype none

module finn_swg #(
  parameter integer IFM_H = 4,
  parameter integer IFM_W = 4,
  parameter integer C = 1,
  parameter integer SIMD = 1,
  parameter integer BITS = 1,
  parameter integer K_H = 3,
  parameter integer K_W = 3,
  parameter integer S_H = 1,
  parameter integer S_W = 1,
  parameter integer OFM_H = 2,
  parameter integer OFM_W = 2,
  parameter integer DEPTHWISE = 0,
  parameter [8*16-1:0] RAM_STYLE = "auto"
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

  localparam [8*16-1:0] S_BLOCK = "block";
  localparam [8*16-1:0] S_DISTRIBUTED = "distributed";
  localparam [8*16-1:0] S_ULTRA = "ultra";

  localparam integer CF = C / SIMD;
  localparam integer WW = SIMD * BITS;
  localparam integer RW = IFM_W * CF;                          // words per image row
  // rows in the line buffer: K_H + S_H - 1; a single row only works as a circular buffer when it holds more than one
  // window column (the writer refills it behind the window being read), so one window per row gets two rows
  localparam integer R = K_H + S_H - 1 + ((K_H + S_H == 2 && OFM_W == 1) ? 1 : 0);
  localparam integer DEPTH = R * RW;
  localparam integer AW = DEPTH > 1 ? $clog2(DEPTH) : 1;       // buffer addresses and column words
  localparam integer GW = $clog2(S_H + K_H + R + 2) + 2;       // row counters (differences stay within +-2^(GW-2))
  localparam integer DW = DEPTHWISE != 0 ? 1 : 0;
  localparam integer KWN = DW != 0 ? K_W : K_W * CF;           // words per window row (per channel fold if depthwise)
  localparam integer KWW = KWN > 1 ? $clog2(KWN) : 1;
  localparam integer KYW = K_H > 1 ? $clog2(K_H) : 1;
  localparam integer OXW = OFM_W > 1 ? $clog2(OFM_W) : 1;
  localparam integer OYW = OFM_H > 1 ? $clog2(OFM_H) : 1;
  localparam integer KWN_M1 = KWN - 1;
  localparam integer KH_M1 = K_H - 1;
  localparam integer OW_M1 = OFM_W - 1;
  localparam integer OH_M1 = OFM_H - 1;
  localparam integer RW_M1 = RW - 1;
  localparam integer DEPTH_M1 = DEPTH - 1;
  localparam integer CF_M1 = CF - 1;
  localparam integer SWCF_I = S_W * CF;                        // column words between windows
  localparam integer RSTEP_I = DW != 0 ? CF : 1;               // column words between the words of a window row
  localparam integer ROW_STEP_I = (S_H % R) * RW;              // base slot advance per output row
  localparam integer FRAME_ROWS_I = IFM_H - (OFM_H - 1) * S_H;  // rows from the last base row to the next frame
  localparam integer FRAME_STEP_I = (FRAME_ROWS_I % R) * RW;
  localparam [KWW-1:0] KWN_LAST = KWN_M1[KWW-1:0];
  localparam [KYW-1:0] KY_LAST = KH_M1[KYW-1:0];
  localparam [OXW-1:0] OX_LAST = OW_M1[OXW-1:0];
  localparam [OYW-1:0] OY_LAST = OH_M1[OYW-1:0];
  localparam [AW-1:0] RW_LAST = RW_M1[AW-1:0];
  localparam [AW-1:0] A_LAST = DEPTH_M1[AW-1:0];
  localparam [AW-1:0] SWCF = SWCF_I[AW-1:0];
  localparam [AW-1:0] RSTEP = RSTEP_I[AW-1:0];
  localparam [AW-1:0] CF_LAST = CF_M1[AW-1:0];
  localparam [AW:0] DEPTH_X = DEPTH[AW:0];
  localparam [AW:0] RW_X = RW[AW:0];
  localparam [AW:0] ROW_STEP = ROW_STEP_I[AW:0];
  localparam [AW:0] FRAME_STEP = FRAME_STEP_I[AW:0];
  localparam [GW-1:0] R_G = R[GW-1:0];
  localparam [GW-1:0] SH_G = S_H[GW-1:0];
  localparam [GW-1:0] FRAME_ROWS = FRAME_ROWS_I[GW-1:0];

  initial begin
    if (IFM_H < 1 || IFM_W < 1 || C < 1 || SIMD < 1 || BITS < 1 || C % SIMD != 0) begin
      $display("ERROR: finn_swg: need IFM_H, IFM_W, C, SIMD, BITS >= 1 and C %% SIMD == 0 (C=%0d SIMD=%0d)", C, SIMD);
      $finish;
    end
    if (DEPTHWISE != 0 && DEPTHWISE != 1) begin
      $display("ERROR: finn_swg: DEPTHWISE must be 0 or 1 (got %0d)", DEPTHWISE);
      $finish;
    end
  end

  finn_window_check #(.NAME("finn_swg"), .IFM_H(IFM_H), .IFM_W(IFM_W), .K_H(K_H), .K_W(K_W), .S_H(S_H), .S_W(S_W),
    .OFM_H(OFM_H), .OFM_W(OFM_W)) u_check ();

  // a + k modulo DEPTH, for 0 <= a < DEPTH and 0 <= k <= DEPTH
  function [AW-1:0] wrap_add;
    input [AW-1:0] a;
    input [AW:0] k;
    reg [AW:0] s;
    begin
      s = {1'b0, a} + k;
      if (s >= DEPTH_X) s = s - DEPTH_X;
      wrap_add = s[AW-1:0];
    end
  endfunction

  // ---------------- writer: image row gw (all frames), column word wc, buffer address wa ----------------
  reg  [GW-1:0] gw;
  reg  [AW-1:0] wc, wa;
  // ---------------- reader: window base row gb (slot address ba), base column word bcw = ox*S_W*CF;
  //                  current word: row gr = gb + ky (slot address ra), column word rc = bcw + kx*CF + cf ------
  reg  [GW-1:0] gb, gr;
  reg  [AW-1:0] ba, ra, bcw, rc;
  reg  [KWW-1:0] kw;                   // word within the window row: kx*CF + cf (depthwise: kx)
  reg  [AW-1:0] dcf;                   // depthwise: channel fold of the window being emitted (0 otherwise)
  wire [AW-1:0] row_start = bcw + dcf; // column word of kx = 0 in the current pass
  reg  [KYW-1:0] ky;
  reg  [OXW-1:0] ox;
  reg  [OYW-1:0] oy;

  wire [GW-1:0] d_wb = gw - gb;        // writer row - base row, in [-S_H, R]
  wire [GW-1:0] d_wr = gw - gr;        // writer row - read row
  wire wr_ok = (d_wb[GW-1] || d_wb < R_G) || (d_wb == R_G && wc < bcw);
  wire rd_ok = (!d_wr[GW-1] && d_wr != {GW{1'b0}}) || (d_wr == {GW{1'b0}} && wc > rc);
  wire wfire = in0_V_tvalid && wr_ok;
  assign in0_V_tready = wr_ok;

  always @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      gw <= {GW{1'b0}};
      wc <= {AW{1'b0}};
      wa <= {AW{1'b0}};
    end else if (wfire) begin
      wa <= (wa == A_LAST) ? {AW{1'b0}} : wa + 1'b1;
      if (wc == RW_LAST) begin
        wc <= {AW{1'b0}};
        gw <= gw + 1'b1;
      end else begin
        wc <= wc + 1'b1;
      end
    end
  end

  wire en;                         // low while the output stage's skid register is full: stall
  wire rfire = en && rd_ok;
  wire [AW-1:0] raddr = ra + rc;

  always @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      gb <= {GW{1'b0}};
      gr <= {GW{1'b0}};
      ba <= {AW{1'b0}};
      ra <= {AW{1'b0}};
      bcw <= {AW{1'b0}};
      rc <= {AW{1'b0}};
      kw <= {KWW{1'b0}};
      dcf <= {AW{1'b0}};
      ky <= {KYW{1'b0}};
      ox <= {OXW{1'b0}};
      oy <= {OYW{1'b0}};
    end else if (rfire) begin
      if (kw != KWN_LAST) begin                       // next word of the window row
        kw <= kw + 1'b1;
        rc <= rc + RSTEP;
      end else begin
        kw <= {KWW{1'b0}};
        if (ky != KY_LAST) begin                      // next window row
          ky <= ky + 1'b1;
          gr <= gr + 1'b1;
          ra <= wrap_add(ra, RW_X);
          rc <= row_start;
        end else begin
          ky <= {KYW{1'b0}};
          if (DW != 0 && dcf != CF_LAST) begin        // depthwise: same window, next channel fold
            dcf <= dcf + 1'b1;
            rc <= row_start + 1'b1;
            gr <= gb;
            ra <= ba;
          end else if (ox != OX_LAST) begin           // next window of the output row
            dcf <= {AW{1'b0}};
            ox <= ox + 1'b1;
            bcw <= bcw + SWCF;
            rc <= bcw + SWCF;
            gr <= gb;
            ra <= ba;
          end else begin
            dcf <= {AW{1'b0}};
            ox <= {OXW{1'b0}};
            bcw <= {AW{1'b0}};
            rc <= {AW{1'b0}};
            if (oy != OY_LAST) begin                  // next output row
              oy <= oy + 1'b1;
              gb <= gb + SH_G;
              gr <= gb + SH_G;
              ba <= wrap_add(ba, ROW_STEP);
              ra <= wrap_add(ba, ROW_STEP);
            end else begin                            // next frame
              oy <= {OYW{1'b0}};
              gb <= gb + FRAME_ROWS;
              gr <= gb + FRAME_ROWS;
              ba <= wrap_add(ba, FRAME_STEP);
              ra <= wrap_add(ba, FRAME_STEP);
            end
          end
        end
      end
    end
  end

  // ---------------- line buffer: write port (writer), registered read port (reader) ----------------
  wire [WW-1:0] q;
  generate
    if (RAM_STYLE == S_BLOCK) begin : g_block
      (* ram_style = "block" *) reg [WW-1:0] mem [0:DEPTH-1];
      reg [WW-1:0] q_r;
      always @(posedge ap_clk) if (wfire) mem[wa] <= in0_V_tdata;
      always @(posedge ap_clk) if (en) q_r <= mem[raddr];
      assign q = q_r;
    end else if (RAM_STYLE == S_DISTRIBUTED) begin : g_distributed
      (* ram_style = "distributed" *) reg [WW-1:0] mem [0:DEPTH-1];
      reg [WW-1:0] q_r;
      always @(posedge ap_clk) if (wfire) mem[wa] <= in0_V_tdata;
      always @(posedge ap_clk) if (en) q_r <= mem[raddr];
      assign q = q_r;
    end else if (RAM_STYLE == S_ULTRA) begin : g_ultra
      (* ram_style = "ultra" *) reg [WW-1:0] mem [0:DEPTH-1];
      reg [WW-1:0] q_r;
      always @(posedge ap_clk) if (wfire) mem[wa] <= in0_V_tdata;
      always @(posedge ap_clk) if (en) q_r <= mem[raddr];
      assign q = q_r;
    end else begin : g_auto
      reg [WW-1:0] mem [0:DEPTH-1];
      reg [WW-1:0] q_r;
      always @(posedge ap_clk) if (wfire) mem[wa] <= in0_V_tdata;
      always @(posedge ap_clk) if (en) q_r <= mem[raddr];
      assign q = q_r;
    end
  endgenerate

  reg s1_v;                            // q holds a window word
  always @(posedge ap_clk) begin
    if (!ap_rst_n) s1_v <= 1'b0;
    else if (en) s1_v <= rd_ok;
  end

  // ---------------- output register + skid register ----------------
  wire push = en && s1_v;
  finn_skid #(.WIDTH(WW)) u_out (
    .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .push(push), .push_data(q), .en(en),
    .out_V_tdata(out_V_tdata), .out_V_tvalid(out_V_tvalid), .out_V_tready(out_V_tready)
  );

endmodule

`default_nettype wire
