// finn_labelselect: top-K label select (FINN LabelSelect), AXI-Stream in and out.
// Reads NF = LABELS/PE words per frame (label nf*PE+p at element p) and emits one word of K indices: element j
// (bits [j*OBITS +: OBITS]) is the label with the j-th largest value, the lower index first among equal values.
// Accepts one input word every cycle, also across frame boundaries, into an input register; the result goes, one
// cycle after the frame's last word, from the running top-K registers to the shared output stage (finn_skid: output
// register + skid register; the input stalls only on a full skid). The compares read the registers directly (a frame's first word masks the slots
// as empty instead of clearing their values), so a clock period holds one insertion and nothing more.
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

  // input register: the compares read a registered word (its own pipeline stage, advanced with the output stage's en)
  wire en;
  reg  s0_v;
  reg  [PE*IBITS-1:0] s0_d;
  wire fire = en && s0_v;
  always @(posedge ap_clk) begin
    if (!ap_rst_n) s0_v <= 1'b0;
    else if (en) begin
      s0_v <= in0_V_tvalid;
      s0_d <= in0_V_tdata;
    end
  end
  reg  [NFW-1:0] nf;
  reg  [XW-1:0] base;                 // label index of element 0 of the current word
  reg  [K*VW-1:0] best_v;             // the running top K of the frame, largest first
  reg  [K*XW-1:0] best_i;
  reg  [K-1:0] best_ok;               // slot holds a label
  reg  first;                         // the next word is a frame's first (nf == 0, registered)
  reg  done;                          // the running top K holds a finished frame: push it
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
    cv = best_v;
    ci = best_i;
    cok = first ? {K{1'b0}} : best_ok;
    for (p = 0; p < PE; p = p + 1) begin
      idx = {{(32-XW){1'b0}}, base} + p;
      sv = {(I_SIGNED != 0) & s0_d[p*IBITS+IBITS-1], s0_d[p*IBITS +: IBITS]};
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

  // top-1 over one label per word (K = PE = 1, the common case): a running maximum. The new label has the highest
  // index so far, so it replaces the best only when strictly larger (ties keep the lower index, as above); whether it
  // is a valid label is a register. The update enable is then one LUT after the compare.
  localparam integer MAX1 = (K == 1 && PE == 1) ? 1 : 0;
  reg cur_ok;                         // base < VALID, registered with base
  reg go;                             // s0 holds a valid label: s0_v && cur_ok, as one register
  wire ok_next = fire ? (nf == NF_LAST) || ({{(32-XW){1'b0}}, base} + PE < VALID) : cur_ok;

  always @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      nf <= {NFW{1'b0}};
      base <= {XW{1'b0}};
      cur_ok <= 1'b1;
      go <= 1'b0;
      first <= 1'b1;
      done <= 1'b0;
    end else if (en) begin
      done <= fire && (nf == NF_LAST);
      go <= in0_V_tvalid && ok_next;
      cur_ok <= ok_next;
      if (fire) begin
        nf <= (nf == NF_LAST) ? {NFW{1'b0}} : nf + 1'b1;
        base <= (nf == NF_LAST) ? {XW{1'b0}} : base + PE_STEP;
        first <= (nf == NF_LAST);
        best_ok <= (MAX1 != 0) ? {K{1'b1}} : cok;
      end
    end
  end

  generate
    if (MAX1 != 0) begin : g_max1
      wire [VW-1:0] sv0 = {(I_SIGNED != 0) & s0_d[IBITS-1], s0_d[IBITS-1:0]};
      // sv0 > best as the sign of best − sv0 at VW + 1 bits: one carry chain, then the update enable is one LUT of
      // (en, go, first, sign)
      wire [VW:0] diff = {best_v[VW-1], best_v} - {sv0[VW-1], sv0};
      wire take1 = en && go && (first || diff[VW]);
      // the running maximum, outside the reset (a frame's first label is always taken): its enable is take1 alone
      always @(posedge ap_clk) begin
        if (take1) begin
          best_v <= sv0;
          best_i <= base;
        end
      end
    end else begin : g_topk
      wire unused_go = &{1'b0, go};     // the running maximum's enable term only
      always @(posedge ap_clk) begin
        if (ap_rst_n && fire) begin
          best_v <= cv;
          best_i <= ci;
        end
      end
    end
  endgenerate

  // the K indices, each zero-extended to OBITS
  wire [K*OBITS-1:0] res;
  genvar j;
  generate
    for (j = 0; j < K; j = j + 1) begin : g_out
      if (OBITS > XW) begin : g_ext
        assign res[j*OBITS +: OBITS] = {{(OBITS-XW){1'b0}}, best_i[j*XW +: XW]};
      end else begin : g_same
        assign res[j*OBITS +: OBITS] = best_i[j*XW +: XW];
      end
    end
  endgenerate

  finn_skid #(.WIDTH(K * OBITS)) u_out (
    .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .push(en && done), .push_data(res), .en(en),
    .out_V_tdata(out_V_tdata), .out_V_tvalid(out_V_tvalid), .out_V_tready(out_V_tready)
  );

endmodule

`default_nettype wire
