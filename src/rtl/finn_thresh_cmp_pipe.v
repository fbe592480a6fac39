// finn_thresh_cmp_pipe: finn_thresh_cmp with a register in the middle of every compare, for parts whose carry chains
// are slow (iCE40): each value >= threshold compare at CW = max(VBITS, TBITS) + 1 bits is split into its high half
// (signed: greater, equal) and its low half (unsigned: greater or equal); those three bits per threshold are
// registered (when en), and the next cycle combines them (hi > or hi == and lo >=) and counts. So no carry chain is
// longer than half the compare, and the count comes one enabled cycle after the value and thresholds.
`default_nettype none

module finn_thresh_cmp_pipe #(
  parameter integer VBITS = 8,
  parameter integer V_SIGNED = 1,
  parameter integer NT = 1,
  parameter integer TBITS = 8,
  parameter integer OBITS = 1,
  parameter integer ACT_VAL = 0
) (
  input  wire                ap_clk,
  input  wire                en,
  input  wire [VBITS-1:0]    value,
  input  wire [NT*TBITS-1:0] thresholds,
  output wire [OBITS-1:0]    count
);

  localparam integer CW = (VBITS > TBITS ? VBITS : TBITS) + 1;
  localparam integer LW = CW / 2;                 // low half: unsigned compare
  localparam integer HW = CW - LW;                // high half: signed compare (holds the sign)

  wire [CW-1:0] v = {{(CW-VBITS){(V_SIGNED != 0) & value[VBITS-1]}}, value};
  reg [NT-1:0] hi_gt, hi_eq, lo_ge;               // this cycle's half compares
  reg [NT-1:0] hi_gt_r, hi_eq_r, lo_ge_r;         // registered
  integer t;
  reg [CW-1:0] tv;
  always @* begin
    tv = {CW{1'b0}};
    for (t = 0; t < NT; t = t + 1) begin
      tv = {{(CW-TBITS){thresholds[t*TBITS+TBITS-1]}}, thresholds[t*TBITS +: TBITS]};
      hi_gt[t] = $signed(v[CW-1:LW]) > $signed(tv[CW-1:LW]);
      hi_eq[t] = v[CW-1:LW] == tv[CW-1:LW];
      lo_ge[t] = v[LW-1:0] >= tv[LW-1:0];
    end
  end
  always @(posedge ap_clk) begin
    if (en) begin
      hi_gt_r <= hi_gt;
      hi_eq_r <= hi_eq;
      lo_ge_r <= lo_ge;
    end
  end

  reg [31:0] cnt;
  always @* begin
    cnt = ACT_VAL;
    for (t = 0; t < NT; t = t + 1) if (hi_gt_r[t] | (hi_eq_r[t] & lo_ge_r[t])) cnt = cnt + 1;
  end
  assign count = cnt[OBITS-1:0];

  wire unused_cnt = &{1'b0, cnt};                 // only the low OBITS bits are the result
  wire unused_hw = &{1'b0, HW[0]};

endmodule

`default_nettype wire
