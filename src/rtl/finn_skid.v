// finn_skid: the AXI-Stream output stage shared by the cores: an output register plus one skid register.
// A core's pipeline advances while `en` is high (the skid register is empty) and presents one result per cycle with
// `push`; the result goes to the output register, or to the skid register when the output is full and not being
// taken. Upstream stalls only while the skid register holds a word, so a stall of the consumer costs no bubble.
`default_nettype none

module finn_skid #(
  parameter integer WIDTH = 8
) (
  input  wire             ap_clk,
  input  wire             ap_rst_n,
  input  wire             push,
  input  wire [WIDTH-1:0] push_data,
  output wire             en,
  output wire [WIDTH-1:0] out_V_tdata,
  output wire             out_V_tvalid,
  input  wire             out_V_tready
);

  initial begin
    if (WIDTH < 1) begin
      $display("ERROR: finn_skid: WIDTH (%0d) must be >= 1", WIDTH);
      $finish;
    end
  end

  reg o_v, sk_v;
  reg [WIDTH-1:0] o_d, sk_d;
  wire pop = o_v && out_V_tready;
  assign en = !sk_v;

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
        o_d <= push_data;
        o_v <= 1'b1;
      end else begin
        sk_d <= push_data;
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
