// finn_labelselect: top-K label select (FINN LabelSelect), AXI-Stream in and out.
// Reads NF = LABELS/PE words per frame (label nf*PE+p at element p) and emits one word of K indices: element j
// (bits [j*OBITS +: OBITS]) is the label with the j-th largest value, the lower index first among equal values.
// Accepts one input word every cycle, also across frame boundaries; the result goes to the shared output stage
// (finn_skid: output register + skid register; the input stalls only on a full skid).
`default_nettype none

module finn_labelselect #(
  parameter integer LABELS = 10,
  parameter integer PE = 1,
  parameter integer IBITS = 8,
  parameter integer I_SIGNED = 1,
  parameter integer OBITS = 8,
  parameter integer K = 1,
  // labels at index >= VALID never win (outputs padded up to a multiple of PE); default: all labels count
  parameter integer VALID = LABELS
) (
  input  wire                ap_clk,
  input  wire                ap_rst_n,
  input  wire [PE*IBITS-1:0] in0_V_tdata,
  input  wire                in0_V_tvalid,
  output wire                in0_V_tready,
  output wire [K*OBITS-1:0]  out_V_tdata,
  output wire                out_V_tvalid,
  input  wire                out_V_tready
);

  localparam integer NF = LABELS / PE;
  localparam integer XW = LABELS > 1 ? $clog2(LABELS) : 1;       // internal index width
  localparam integer VW = IBITS + 1;                              // signed compare width
  localparam integer NFW = NF > 1 ? $clog2(NF) : 1;
  localparam integer NF_M1 = NF - 1;
  localparam [NFW-1:0] NF_LAST = NF_M1[NFW-1:0];
  localparam [XW-1:0] PE_STEP = PE[XW-1:0];

  initial begin
    if (LABELS < 1 || PE < 1 || LABELS % PE != 0) begin
      $display("ERROR: finn_labelselect: need LABELS %% PE == 0 (LABELS=%0d PE=%0d)", LABELS, PE);
      $finish;
    end
    if (VALID < 1 || VALID > LABELS) begin
      $display("ERROR: finn_labelselect: need 1 <= VALID <= LABELS (VALID=%0d LABELS=%0d)", VALID, LABELS);
      $finish;
    end
    if (IBITS < 1 || OBITS < XW) begin
      $display("ERROR: finn_labelselect: need IBITS >= 1 and OBITS >= clog2(LABELS) (OBITS=%0d)", OBITS);
      $finish;
    end
    if (K < 1 || K > VALID) begin
      $display("ERROR: finn_labelselect: need 1 <= K <= VALID (K=%0d VALID=%0d)", K, VALID);
      $finish;
    end
  end

  wire en;
  wire fire = en && in0_V_tvalid;
  reg  [NFW-1:0] nf;
  reg  [XW-1:0] base;                 // label index of element 0 of the current word
  reg  [K*VW-1:0] best_v;             // the running top K of the frame, largest first
  reg  [K*XW-1:0] best_i;
  reg  [K-1:0] best_ok;               // slot holds a label
  assign in0_V_tready = en;

  // insert this word's labels into the running top K: a label moves down the list, swapping with every slot it
  // beats (larger value, or equal value and lower index), so the list stays sorted with lower indices first on ties
  reg [K*VW-1:0] cv;
  reg [K*XW-1:0] ci;
  reg [K-1:0] cok;
  reg [VW-1:0] sv, tv;
  reg [XW-1:0] si, ti;
  reg sok, tok;
  reg [31:0] idx;
  integer p, k;
  always @* begin
    tv = {VW{1'b0}};
    ti = {XW{1'b0}};
    tok = 1'b0;
    if (nf == {NFW{1'b0}}) begin
      cv = {K*VW{1'b0}};
      ci = {K*XW{1'b0}};
      cok = {K{1'b0}};
    end else begin
      cv = best_v;
      ci = best_i;
      cok = best_ok;
    end
    for (p = 0; p < PE; p = p + 1) begin
      idx = {{(32-XW){1'b0}}, base} + p;
      sv = {(I_SIGNED != 0) & in0_V_tdata[p*IBITS+IBITS-1], in0_V_tdata[p*IBITS +: IBITS]};
      si = base + p[XW-1:0];
      sok = idx < VALID;
      for (k = 0; k < K; k = k + 1) begin
        if (sok && (!cok[k] || $signed(sv) > $signed(cv[k*VW +: VW]) || ($signed(sv) == $signed(cv[k*VW +: VW]) && si < ci[k*XW +: XW]))) begin
          tv = cv[k*VW +: VW];
          ti = ci[k*XW +: XW];
          tok = cok[k];
          cv[k*VW +: VW] = sv;
          ci[k*XW +: XW] = si;
          cok[k] = 1'b1;
          sv = tv;
          si = ti;
          sok = tok;
        end
      end
    end
  end

  always @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      nf <= {NFW{1'b0}};
      base <= {XW{1'b0}};
    end else if (fire) begin
      nf <= (nf == NF_LAST) ? {NFW{1'b0}} : nf + 1'b1;
      base <= (nf == NF_LAST) ? {XW{1'b0}} : base + PE_STEP;
      best_v <= cv;
      best_i <= ci;
      best_ok <= cok;
    end
  end

  // the K indices, each zero-extended to OBITS
  wire [K*OBITS-1:0] res;
  genvar j;
  generate
    for (j = 0; j < K; j = j + 1) begin : g_out
      if (OBITS > XW) begin : g_ext
        assign res[j*OBITS +: OBITS] = {{(OBITS-XW){1'b0}}, ci[j*XW +: XW]};
      end else begin : g_same
        assign res[j*OBITS +: OBITS] = ci[j*XW +: XW];
      end
    end
  endgenerate

  finn_skid #(.WIDTH(K * OBITS)) u_out (
    .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .push(fire && (nf == NF_LAST)), .push_data(res), .en(en),
    .out_V_tdata(out_V_tdata), .out_V_tvalid(out_V_tvalid), .out_V_tready(out_V_tready)
  );

endmodule

`default_nettype wire
