// finn_labelselect: top-1 label select (FINN LabelSelect with K = 1), AXI-Stream in and out.
// Reads NF = LABELS/PE words per frame (label nf*PE+p at element p) and emits one word: the index of the
// largest value, the lowest index winning ties, zero-extended to OBITS. Accepts one input word every cycle, also
// across frame boundaries; the result goes to an output register + skid register (input stalls only on a full skid).
`default_nettype none

module finn_labelselect #(
  parameter integer LABELS = 10,
  parameter integer PE = 1,
  parameter integer IBITS = 8,
  parameter integer I_SIGNED = 1,
  parameter integer OBITS = 8,
  // labels at index >= VALID never win (outputs padded up to a multiple of PE); default: all labels count
  parameter integer VALID = LABELS
) (
  input  wire                ap_clk,
  input  wire                ap_rst_n,
  input  wire [PE*IBITS-1:0] in0_V_tdata,
  input  wire                in0_V_tvalid,
  output wire                in0_V_tready,
  output wire [OBITS-1:0]    out_V_tdata,
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
  end

  reg  sk_v;
  wire en = !sk_v;
  wire fire = en && in0_V_tvalid;
  reg  [NFW-1:0] nf;
  reg  [XW-1:0] base;                 // label index of element 0 of the current word
  reg  [VW-1:0] best_v;               // running maximum of the frame (valid after its first word)
  reg  [XW-1:0] best_i;
  assign in0_V_tready = en;

  // best of this word merged with the running best: strictly greater replaces, so lower indices win ties
  reg [VW-1:0] cand_v, xv;
  reg [XW-1:0] cand_i;
  reg [31:0] idx;
  integer p;
  always @* begin
    cand_v = best_v;
    cand_i = best_i;
    xv = {VW{1'b0}};
    idx = 32'd0;
    for (p = 0; p < PE; p = p + 1) begin
      xv = {(I_SIGNED != 0) & in0_V_tdata[p*IBITS+IBITS-1], in0_V_tdata[p*IBITS +: IBITS]};
      idx = {{(32-XW){1'b0}}, base} + p;
      if (((nf == {NFW{1'b0}} && p == 0) || $signed(xv) > $signed(cand_v)) && idx < VALID) begin
        cand_v = xv;
        cand_i = base + p[XW-1:0];
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
      best_v <= cand_v;
      best_i <= cand_i;
    end
  end

  // ---------------- output register + skid register ----------------
  wire [OBITS-1:0] res;
  generate
    if (OBITS > XW) begin : g_ext
      assign res = {{(OBITS-XW){1'b0}}, cand_i};
    end else begin : g_same
      assign res = cand_i;
    end
  endgenerate

  reg o_v;
  reg [OBITS-1:0] o_d, sk_d;
  wire push = fire && (nf == NF_LAST);
  wire pop = o_v && out_V_tready;
  always @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      o_v <= 1'b0;
      sk_v <= 1'b0;
    end else if (sk_v) begin
      if (pop) begin
        o_d <= sk_d;
        sk_v <= 1'b0;
      end
    end else if (push) begin
      if (!o_v || pop) begin
        o_d <= res;
        o_v <= 1'b1;
      end else begin
        sk_d <= res;
        sk_v <= 1'b1;
      end
    end else if (pop) begin
      o_v <= 1'b0;
    end
  end
  assign out_V_tdata = o_d;
  assign out_V_tvalid = o_v;

endmodule

`default_nettype wire
