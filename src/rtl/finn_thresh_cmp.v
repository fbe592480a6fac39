// finn_thresh_cmp: the multi-threshold compare shared by the cores (Thresholding, MVAU, VVAU): the output is
// ACT_VAL plus the number of thresholds t with value >= t (FINN's MultiThreshold). Combinational; the value is
// VBITS wide (signed if V_SIGNED), each of the NT thresholds TBITS wide and signed, compared at max(VBITS, TBITS) + 1
// bits so unsigned values and signed thresholds compare exactly.
`default_nettype none

module finn_thresh_cmp #(
  parameter integer VBITS = 8,
  parameter integer V_SIGNED = 1,
  parameter integer NT = 1,
  parameter integer TBITS = 8,
  parameter integer OBITS = 1,
  parameter integer ACT_VAL = 0
) (
  input  wire [VBITS-1:0]    value,
  input  wire [NT*TBITS-1:0] thresholds,
  output wire [OBITS-1:0]    count
);

  localparam integer CW = (VBITS > TBITS ? VBITS : TBITS) + 1;

  wire [CW-1:0] v = {{(CW-VBITS){(V_SIGNED != 0) & value[VBITS-1]}}, value};
  integer t;
  reg [31:0] cnt;
  reg [CW-1:0] tv;
  always @* begin
    cnt = ACT_VAL;
    tv = {CW{1'b0}};
    for (t = 0; t < NT; t = t + 1) begin
      tv = {{(CW-TBITS){thresholds[t*TBITS+TBITS-1]}}, thresholds[t*TBITS +: TBITS]};
      if ($signed(v) >= $signed(tv)) cnt = cnt + 1;
    end
  end
  assign count = cnt[OBITS-1:0];

endmodule

`default_nettype wire
