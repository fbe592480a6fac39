// finn_concat: StreamingConcat (FINN), channel-wise concatenation of N streams, one output word per cycle.
// Per pixel: WORDSk words of input k (k = 0..N-1 in order), each SIMD elements, go out in turn; element q of an
// input word (BITSk bits at [q*BITSk +: BITSk], two's complement if SIGNEDk) becomes element q of an output word,
// sign- or zero-extended to OBITS. The inputs arrive packed on one bus: input k at offset SIMD*(BITS0+..+BITS<k-1>);
// N <= 4 (per-input parameters WORDSk, BITSk, SIGNEDk; those of k >= N are ignored); finn_concat<N>.v give the ports
// FINN's names in0_V .. in<N-1>_V. Only the selected input is ready (registered state); the output goes through
// finn_skid.
`default_nettype none

module finn_concat #(
  parameter integer N = 2,
  parameter integer SIMD = 1,
  parameter integer OBITS = 4,
  parameter integer IN_WIDTH = 8,                 // SIMD * (BITS0 + .. + BITS<N-1>)
  parameter integer WORDS0 = 1,
  parameter integer BITS0 = 4,
  parameter integer SIGNED0 = 0,
  parameter integer WORDS1 = 1,
  parameter integer BITS1 = 4,
  parameter integer SIGNED1 = 0,
  parameter integer WORDS2 = 1,
  parameter integer BITS2 = 4,
  parameter integer SIGNED2 = 0,
  parameter integer WORDS3 = 1,
  parameter integer BITS3 = 4,
  parameter integer SIGNED3 = 0
) (
  input  wire                  ap_clk,
  input  wire                  ap_rst_n,
  input  wire [IN_WIDTH-1:0]   in_V_tdata,
  input  wire [N-1:0]          in_V_tvalid,
  output wire [N-1:0]          in_V_tready,
  output wire [SIMD*OBITS-1:0] out_V_tdata,
  output wire                  out_V_tvalid,
  input  wire                  out_V_tready
);

  // per-input parameters by index, bus offset of input k, the largest of a parameter over the N inputs
  function integer words_of;
    input integer k;
    words_of = k == 0 ? WORDS0 : k == 1 ? WORDS1 : k == 2 ? WORDS2 : WORDS3;
  endfunction
  function integer bits_of;
    input integer k;
    bits_of = k == 0 ? BITS0 : k == 1 ? BITS1 : k == 2 ? BITS2 : BITS3;
  endfunction
  function integer signed_of;
    input integer k;
    signed_of = (k == 0 ? SIGNED0 : k == 1 ? SIGNED1 : k == 2 ? SIGNED2 : SIGNED3) != 0 ? 1 : 0;
  endfunction
  function integer offset;
    input integer k;
    integer j;
    begin
      offset = 0;
      for (j = 0; j < k; j = j + 1) offset = offset + SIMD * bits_of(j);
    end
  endfunction
  function integer max_of;
    input integer what;                           // 0: WORDS, 1: BITS
    integer j, v;
    begin
      max_of = 0;
      for (j = 0; j < N; j = j + 1) begin
        v = what == 0 ? words_of(j) : bits_of(j);
        if (v > max_of) max_of = v;
      end
    end
  endfunction
  function integer min_of;
    input integer what;
    integer j, v;
    begin
      min_of = 1;
      for (j = 0; j < N; j = j + 1) begin
        v = what == 0 ? words_of(j) : bits_of(j);
        if (v < min_of) min_of = v;
      end
    end
  endfunction

  localparam integer OW = SIMD * OBITS;
  localparam integer MAXW = max_of(0);
  localparam integer WCW = MAXW > 1 ? $clog2(MAXW) : 1;
  localparam integer SELW = N > 1 ? $clog2(N) : 1;
  localparam integer N_M1 = N - 1;
  localparam [SELW-1:0] SEL_LAST = N_M1[SELW-1:0];

  initial begin
    if (N < 1 || N > 4 || SIMD < 1 || OBITS < 1 || IN_WIDTH != offset(N)) begin
      $display("ERROR: finn_concat: need N in 1..4, SIMD, OBITS >= 1 and IN_WIDTH = SIMD * sum(BITS) (IN_WIDTH=%0d, expected %0d)",
               IN_WIDTH, offset(N));
      $finish;
    end
    if (max_of(1) > OBITS || min_of(0) < 1 || min_of(1) < 1) begin
      $display("ERROR: finn_concat: need 1 <= BITSk <= OBITS and WORDSk >= 1 for every input");
      $finish;
    end
  end

  // every input's word extended to OBITS-bit elements; the selected one goes out
  wire [N*OW-1:0] ext;
  wire [WCW-1:0] last_word [0:N-1];
  genvar k, q;
  generate
    for (k = 0; k < N; k = k + 1) begin : g_in
      localparam integer B = bits_of(k);
      localparam integer OFF = offset(k);
      localparam integer WL = words_of(k) - 1;
      localparam integer SG = signed_of(k);
      assign last_word[k] = WL[WCW-1:0];
      for (q = 0; q < SIMD; q = q + 1) begin : g_e
        wire [B-1:0] x = in_V_tdata[OFF + q*B +: B];
        if (B < OBITS) begin : g_ext
          assign ext[k*OW + q*OBITS +: OBITS] = {{(OBITS-B){(SG != 0) & x[B-1]}}, x};
        end else begin : g_same
          assign ext[k*OW + q*OBITS +: OBITS] = x;
        end
      end
    end
  endgenerate

  wire en;
  reg [SELW-1:0] sel;
  reg [WCW-1:0] w;
  wire fire = en && in_V_tvalid[sel];
  wire at_last = (w == last_word[sel]);
  generate
    for (k = 0; k < N; k = k + 1) begin : g_rdy
      assign in_V_tready[k] = en && (sel == k);
    end
  endgenerate

  always @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      sel <= {SELW{1'b0}};
      w <= {WCW{1'b0}};
    end else if (fire) begin
      if (at_last) begin
        w <= {WCW{1'b0}};
        sel <= (sel == SEL_LAST) ? {SELW{1'b0}} : sel + 1'b1;
      end else begin
        w <= w + 1'b1;
      end
    end
  end

  finn_skid #(.WIDTH(OW)) u_out (
    .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .push(fire), .push_data(ext[sel*OW +: OW]), .en(en),
    .out_V_tdata(out_V_tdata), .out_V_tvalid(out_V_tvalid), .out_V_tready(out_V_tready)
  );

endmodule

`default_nettype wire
