// finn_thresholding: multi-threshold activation on a stream (FINN Thresholding), AXI-Stream in and out, II = 1.
// Input word nf of a pixel holds channels nf*PE+p at element p (NF = C/PE words per pixel); one output word per
// input word. Output element p = #{t : x >= T[t]} + ACT_VAL, truncated to OBITS (two's complement).
// Threshold word nf: threshold t of channel nf*PE+p at [(p*NTHRESH+t)*TBITS +: TBITS], ascending.
// Pipeline: issue (threshold ROM read) -> compare -> output register + skid register; stalls only on a full skid.
`default_nettype none

module finn_thresholding #(
  parameter integer C = 4,
  parameter integer PE = 1,
  parameter integer ABITS = 4,
  parameter integer A_SIGNED = 0,
  parameter integer NTHRESH = 1,
  parameter integer TBITS = 4,
  parameter integer OBITS = 1,
  parameter integer ACT_VAL = 0,
  parameter integer N_VECTORS = 1,
  parameter THRESH_FILE = "",
  parameter [8*16-1:0] RAM_STYLE = "auto"
) (
  input  wire                ap_clk,
  input  wire                ap_rst_n,
  input  wire [PE*ABITS-1:0] in0_V_tdata,
  input  wire                in0_V_tvalid,
  output wire                in0_V_tready,
  output wire [PE*OBITS-1:0] out_V_tdata,
  output wire                out_V_tvalid,
  input  wire                out_V_tready
);

  localparam integer NF = C / PE;
  localparam integer IW = PE * ABITS;
  localparam integer OW = PE * OBITS;
  localparam integer TW = PE * NTHRESH * TBITS;
  localparam integer NFW = NF > 1 ? $clog2(NF) : 1;
  localparam integer NF_M1 = NF - 1;
  localparam [NFW-1:0] NF_LAST = NF_M1[NFW-1:0];

  initial begin
    if (C < 1 || PE < 1 || C % PE != 0) begin
      $display("ERROR: finn_thresholding: need C %% PE == 0 (C=%0d PE=%0d)", C, PE);
      $finish;
    end
    if (ABITS < 1 || NTHRESH < 1 || TBITS < 1 || OBITS < 1 || OBITS > 32 || N_VECTORS < 1) begin
      $display("ERROR: finn_thresholding: need ABITS, NTHRESH, TBITS, N_VECTORS >= 1 and 1 <= OBITS <= 32");
      $finish;
    end
  end

  // ---------------- stage 0: issue ----------------
  wire en;                         // low while the output stage's skid register is full: stall
  wire fire0 = en && in0_V_tvalid;
  reg  [NFW-1:0] nf;
  assign in0_V_tready = en;

  always @(posedge ap_clk) begin
    if (!ap_rst_n) nf <= {NFW{1'b0}};
    else if (fire0) nf <= (nf == NF_LAST) ? {NFW{1'b0}} : nf + 1'b1;
  end

  // ---------------- stage 1: input word + threshold word ----------------
  reg s1_v;
  reg [IW-1:0] s1_x;
  wire [TW-1:0] t_q;
  always @(posedge ap_clk) begin
    if (!ap_rst_n) s1_v <= 1'b0;
    else if (en) begin
      s1_v <= in0_V_tvalid;
      s1_x <= in0_V_tdata;
    end
  end

  finn_rom #(.WIDTH(TW), .DEPTH(NF), .ADDR_BITS(NFW), .INIT_FILE(THRESH_FILE), .RAM_STYLE(RAM_STYLE))
    u_tmem (.clk(ap_clk), .en(en), .addr(nf), .q(t_q));

  wire [OW-1:0] res;
  genvar p;
  generate
    for (p = 0; p < PE; p = p + 1) begin : g_pe
      finn_thresh_cmp #(.VBITS(ABITS), .V_SIGNED(A_SIGNED), .NT(NTHRESH), .TBITS(TBITS), .OBITS(OBITS), .ACT_VAL(ACT_VAL))
        u_cmp (.value(s1_x[p*ABITS +: ABITS]), .thresholds(t_q[p*NTHRESH*TBITS +: NTHRESH*TBITS]), .count(res[p*OBITS +: OBITS]));
    end
  endgenerate

  // ---------------- output register + skid register ----------------
  wire push = en && s1_v;
  finn_skid #(.WIDTH(OW)) u_out (
    .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .push(push), .push_data(res), .en(en),
    .out_V_tdata(out_V_tdata), .out_V_tvalid(out_V_tvalid), .out_V_tready(out_V_tready)
  );

endmodule

`default_nettype wire
