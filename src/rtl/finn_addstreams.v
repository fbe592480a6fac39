// finn_addstreams: AddStreams (FINN), element-wise sum of two streams, PE elements per word, II = 1.
// Element q of a word sits at [q*BITS +: BITS] in each stream; each input is two's complement (X_SIGNED), unsigned,
// or bipolar (X_BIPOLAR, 1 bit: 1 = +1, 0 = -1), with its own width. The sum is truncated to OBITS (the layer picks
// an OBITS that holds it). Each input has a one-word holding register whose tready is "empty, or emptied this cycle",
// so both streams flow at one word per cycle and tready depends on registered state only; the sums go to the shared
// output stage finn_skid.
`default_nettype none

module finn_addstreams #(
  parameter integer PE = 1,
  parameter integer A_BITS = 4,
  parameter integer A_SIGNED = 0,
  parameter integer A_BIPOLAR = 0,
  parameter integer B_BITS = 4,
  parameter integer B_SIGNED = 0,
  parameter integer B_BIPOLAR = 0,
  parameter integer OBITS = 5
) (
  input  wire                 ap_clk,
  input  wire                 ap_rst_n,
  input  wire [PE*A_BITS-1:0] in0_V_tdata,
  input  wire                 in0_V_tvalid,
  output wire                 in0_V_tready,
  input  wire [PE*B_BITS-1:0] in1_V_tdata,
  input  wire                 in1_V_tvalid,
  output wire                 in1_V_tready,
  output wire [PE*OBITS-1:0]  out_V_tdata,
  output wire                 out_V_tvalid,
  input  wire                 out_V_tready
);

  localparam integer XW = (A_BITS > B_BITS ? A_BITS : B_BITS) + 2;    // signed operand width
  localparam integer SW = XW + 1 > OBITS ? XW + 1 : OBITS;            // signed sum width

  initial begin
    if (PE < 1 || A_BITS < 1 || B_BITS < 1 || OBITS < 1) begin
      $display("ERROR: finn_addstreams: need PE, A_BITS, B_BITS, OBITS >= 1 (PE=%0d A_BITS=%0d B_BITS=%0d OBITS=%0d)",
               PE, A_BITS, B_BITS, OBITS);
      $finish;
    end
    if ((A_BIPOLAR != 0 && A_BITS != 1) || (B_BIPOLAR != 0 && B_BITS != 1)) begin
      $display("ERROR: finn_addstreams: bipolar inputs have 1-bit elements");
      $finish;
    end
  end

  wire en;                              // output stage can take a sum
  reg a_v, b_v;
  reg [PE*A_BITS-1:0] a_d;
  reg [PE*B_BITS-1:0] b_d;
  wire fire = en && a_v && b_v;
  assign in0_V_tready = !a_v || fire;
  assign in1_V_tready = !b_v || fire;

  always @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      a_v <= 1'b0;
      b_v <= 1'b0;
    end else begin
      if (in0_V_tvalid && in0_V_tready) begin
        a_v <= 1'b1;
        a_d <= in0_V_tdata;
      end else if (fire) begin
        a_v <= 1'b0;
      end
      if (in1_V_tvalid && in1_V_tready) begin
        b_v <= 1'b1;
        b_d <= in1_V_tdata;
      end else if (fire) begin
        b_v <= 1'b0;
      end
    end
  end

  wire [PE*OBITS-1:0] sum;
  genvar q;
  generate
    for (q = 0; q < PE; q = q + 1) begin : g_pe
      wire [A_BITS-1:0] ra = a_d[q*A_BITS +: A_BITS];
      wire [B_BITS-1:0] rb = b_d[q*B_BITS +: B_BITS];
      wire [XW-1:0] av = (A_BIPOLAR != 0) ? (ra[0] ? {{(XW-1){1'b0}}, 1'b1} : {XW{1'b1}})
                                           : {{(XW-A_BITS){(A_SIGNED != 0) & ra[A_BITS-1]}}, ra};
      wire [XW-1:0] bv = (B_BIPOLAR != 0) ? (rb[0] ? {{(XW-1){1'b0}}, 1'b1} : {XW{1'b1}})
                                           : {{(XW-B_BITS){(B_SIGNED != 0) & rb[B_BITS-1]}}, rb};
      wire [SW-1:0] s = {{(SW-XW){av[XW-1]}}, av} + {{(SW-XW){bv[XW-1]}}, bv};
      assign sum[q*OBITS +: OBITS] = s[OBITS-1:0];
      if (SW > OBITS) begin : g_unused
        wire unused_hi = &{1'b0, s[SW-1:OBITS]};   // the layer sizes OBITS to hold the sum
      end
    end
  endgenerate

  finn_skid #(.WIDTH(PE * OBITS)) u_out (
    .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .push(fire), .push_data(sum), .en(en),
    .out_V_tdata(out_V_tdata), .out_V_tvalid(out_V_tvalid), .out_V_tready(out_V_tready)
  );

endmodule

`default_nettype wire
