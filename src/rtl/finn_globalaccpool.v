// finn_globalaccpool: GlobalAccPool (FINN), the per-channel sum over the NPIX pixels of a frame, II = 1.
// Input: NPIX pixels, NF = C/PE words per pixel, element q of word nf is channel nf*PE+q (two's complement if
// A_SIGNED, unsigned, or bipolar if A_BIPOLAR: 1 = +1, 0 = -1). Output: NF words per frame, element q of word nf the
// sum of channel nf*PE+q modulo 2^OBITS (the layer picks an OBITS that holds it). The running sums of the NF channel
// folds live in a distributed RAM with asynchronous read (read, add, write back in one cycle); the last pixel's word
// of a fold is not written back but pushed, with its sum, to the output stage (finn_skid). One input word every cycle,
// also across frames: NPIX*NF cycles per frame.
`default_nettype none

module finn_globalaccpool #(
  parameter integer C = 4,
  parameter integer PE = 1,
  parameter integer ABITS = 4,
  parameter integer A_SIGNED = 0,
  parameter integer A_BIPOLAR = 0,
  parameter integer OBITS = 8,
  parameter integer NPIX = 4
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
  localparam integer NFW = NF > 1 ? $clog2(NF) : 1;
  localparam integer PXW = NPIX > 1 ? $clog2(NPIX) : 1;
  localparam integer XW = (OBITS > ABITS ? OBITS : ABITS) + 1;     // signed working width (mod 2^XW)
  localparam integer NF_M1 = NF - 1;
  localparam integer NPIX_M1 = NPIX - 1;
  localparam [NFW-1:0] NF_LAST = NF_M1[NFW-1:0];
  localparam [PXW-1:0] PX_LAST = NPIX_M1[PXW-1:0];

  initial begin
    if (C < 1 || PE < 1 || C % PE != 0 || NPIX < 1) begin
      $display("ERROR: finn_globalaccpool: need C %% PE == 0 and NPIX >= 1 (C=%0d PE=%0d NPIX=%0d)", C, PE, NPIX);
      $finish;
    end
    if (ABITS < 1 || OBITS < 1 || (A_BIPOLAR != 0 && ABITS != 1)) begin
      $display("ERROR: finn_globalaccpool: need ABITS, OBITS >= 1 and ABITS = 1 when bipolar");
      $finish;
    end
  end

  wire en;
  wire fire = en && in0_V_tvalid;
  assign in0_V_tready = en;
  reg [NFW-1:0] nf;
  reg [PXW-1:0] px;
  wire first = (px == {PXW{1'b0}});
  wire last = (px == PX_LAST);

  always @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      nf <= {NFW{1'b0}};
      px <= {PXW{1'b0}};
    end else if (fire) begin
      nf <= (nf == NF_LAST) ? {NFW{1'b0}} : nf + 1'b1;
      if (nf == NF_LAST) px <= last ? {PXW{1'b0}} : px + 1'b1;
    end
  end

  (* ram_style = "distributed" *) reg [PE*OBITS-1:0] acc [0:NF-1];
  wire [PE*OBITS-1:0] prev = acc[nf];
  wire [PE*OBITS-1:0] sum;
  genvar q;
  generate
    for (q = 0; q < PE; q = q + 1) begin : g_pe
      wire [ABITS-1:0] raw = in0_V_tdata[q*ABITS +: ABITS];
      wire [XW-1:0] xv = (A_BIPOLAR != 0) ? (raw[0] ? {{(XW-1){1'b0}}, 1'b1} : {XW{1'b1}})
                                           : {{(XW-ABITS){(A_SIGNED != 0) & raw[ABITS-1]}}, raw};
      wire [XW-1:0] pv = first ? {XW{1'b0}} : {{(XW-OBITS){1'b0}}, prev[q*OBITS +: OBITS]};
      wire [XW-1:0] s = pv + xv;
      assign sum[q*OBITS +: OBITS] = s[OBITS-1:0];
      wire unused_hi = &{1'b0, s[XW-1:OBITS]};   // sums are kept modulo 2^OBITS
    end
  endgenerate

  always @(posedge ap_clk) if (fire && !last) acc[nf] <= sum;

  finn_skid #(.WIDTH(PE * OBITS)) u_out (
    .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .push(fire && last), .push_data(sum), .en(en),
    .out_V_tdata(out_V_tdata), .out_V_tvalid(out_V_tvalid), .out_V_tready(out_V_tready)
  );

endmodule

`default_nettype wire
