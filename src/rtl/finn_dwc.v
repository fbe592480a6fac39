// finn_dwc: stream data width converter IN_BITS -> OUT_BITS (any widths, either direction), AXI-Stream.
// Output bits leave in the order the input bits arrived, LSB first. No flush: the stream length (in bits) is assumed
// to be a multiple of OUT_BITS. tready and tvalid are computed from registered state only; a widening converter
// accepts a word every cycle and a narrowing one emits a word every cycle. Three structures:
//  - IN_BITS = K*OUT_BITS (K >= 2): a word register being emitted slice by slice (K:1 mux) plus one staged word;
//  - OUT_BITS = K*IN_BITS (K >= 2): a shift register collecting K words plus an output register;
//  - otherwise: a FIFO of bits (BUF >= 2*OUT+IN-1 and BUF >= OUT+2*IN-1) with a shifter.
`default_nettype none

module finn_dwc #(
  parameter integer IN_BITS = 8,
  parameter integer OUT_BITS = 8
) (
  input  wire                ap_clk,
  input  wire                ap_rst_n,
  input  wire [IN_BITS-1:0]  in0_V_tdata,
  input  wire                in0_V_tvalid,
  output wire                in0_V_tready,
  output wire [OUT_BITS-1:0] out_V_tdata,
  output wire                out_V_tvalid,
  input  wire                out_V_tready
);

  localparam integer NARROW = (IN_BITS > OUT_BITS && IN_BITS % OUT_BITS == 0) ? 1 : 0;
  localparam integer WIDEN = (OUT_BITS > IN_BITS && OUT_BITS % IN_BITS == 0) ? 1 : 0;
  localparam integer K = NARROW != 0 ? IN_BITS / OUT_BITS : (WIDEN != 0 ? OUT_BITS / IN_BITS : 1);
  localparam integer KW = K > 1 ? $clog2(K) : 1;
  localparam integer K_M1 = K - 1;
  localparam [KW-1:0] K_LAST = K_M1[KW-1:0];

  initial begin
    if (IN_BITS < 1 || OUT_BITS < 1) begin
      $display("ERROR: finn_dwc: IN_BITS (%0d) and OUT_BITS (%0d) must be >= 1", IN_BITS, OUT_BITS);
      $finish;
    end
  end

  generate
    if (NARROW != 0) begin : g_narrow
      // cur is emitted slice idx by slice; nxt holds the next word (tready = nxt empty)
      reg [IN_BITS-1:0] cur, nxt;
      reg cur_v, nxt_v;
      reg [KW-1:0] idx;
      wire pop = cur_v && out_V_tready;
      wire last = pop && (idx == K_LAST);
      wire push = in0_V_tvalid && !nxt_v;
      always @(posedge ap_clk) begin
        if (!ap_rst_n) begin
          cur_v <= 1'b0;
          nxt_v <= 1'b0;
          idx <= {KW{1'b0}};
        end else begin
          if (pop) idx <= last ? {KW{1'b0}} : idx + 1'b1;
          if (!cur_v || last) begin
            if (nxt_v) begin
              cur <= nxt;
              nxt_v <= 1'b0;
            end else if (push) begin
              cur <= in0_V_tdata;
            end
            cur_v <= nxt_v || push;
          end else if (push) begin
            nxt <= in0_V_tdata;
            nxt_v <= 1'b1;
          end
        end
      end
      assign in0_V_tready = !nxt_v;
      assign out_V_tdata = cur[idx*OUT_BITS +: OUT_BITS];
      assign out_V_tvalid = cur_v;
    end else if (WIDEN != 0) begin : g_widen
      // sh collects K words (the newest enters at the top); a complete word goes to the output register o, or waits
      // in sh while o is full (tready = no complete word waiting)
      reg [OUT_BITS-1:0] sh, o;
      reg o_v, full;
      reg [KW-1:0] idx;
      wire [OUT_BITS-1:0] shifted = {in0_V_tdata, sh[OUT_BITS-1:IN_BITS]};
      wire push = in0_V_tvalid && !full;
      wire o_free = !o_v || out_V_tready;
      always @(posedge ap_clk) begin
        if (!ap_rst_n) begin
          o_v <= 1'b0;
          full <= 1'b0;
          idx <= {KW{1'b0}};
        end else if (full) begin
          if (o_free) begin
            o <= sh;
            o_v <= 1'b1;
            full <= 1'b0;
          end
        end else begin
          if (push) begin
            sh <= shifted;
            idx <= (idx == K_LAST) ? {KW{1'b0}} : idx + 1'b1;
          end
          if (push && idx == K_LAST) begin
            if (o_free) begin
              o <= shifted;
              o_v <= 1'b1;
            end else begin
              full <= 1'b1;
            end
          end else if (o_v && out_V_tready) begin
            o_v <= 1'b0;
          end
        end
      end
      assign in0_V_tready = !full;
      assign out_V_tdata = o;
      assign out_V_tvalid = o_v;
    end else begin : g_bits
      localparam integer BUF_A = 2 * OUT_BITS + IN_BITS - 1;
      localparam integer BUF_B = OUT_BITS + 2 * IN_BITS - 1;
      localparam integer BUF = BUF_A > BUF_B ? BUF_A : BUF_B;
      localparam integer CNW = $clog2(BUF + 1);
      localparam integer RDY_MAX_I = BUF - IN_BITS;
      localparam [CNW-1:0] RDY_MAX = RDY_MAX_I[CNW-1:0];
      localparam [CNW-1:0] OUTW = OUT_BITS[CNW-1:0];
      localparam [CNW-1:0] INW = IN_BITS[CNW-1:0];
      reg  [BUF-1:0] data;             // bits [cnt-1:0] are valid, bit 0 is the oldest; bits above cnt are zero
      reg  [CNW-1:0] cnt;
      wire out_v = (cnt >= OUTW);
      wire in_r = (cnt <= RDY_MAX);
      wire pop = out_v && out_V_tready;
      wire push = in0_V_tvalid && in_r;
      wire [BUF-1:0] kept = pop ? (data >> OUT_BITS) : data;
      wire [CNW-1:0] cnt_kept = pop ? cnt - OUTW : cnt;
      wire [BUF-1:0] incoming = {{(BUF-IN_BITS){1'b0}}, in0_V_tdata} << cnt_kept;
      always @(posedge ap_clk) begin
        if (!ap_rst_n) begin
          data <= {BUF{1'b0}};
          cnt <= {CNW{1'b0}};
        end else begin
          data <= push ? (kept | incoming) : kept;
          cnt <= push ? cnt_kept + INW : cnt_kept;
        end
      end
      assign in0_V_tready = in_r;
      assign out_V_tdata = data[OUT_BITS-1:0];
      assign out_V_tvalid = out_v;
    end
  endgenerate

endmodule

`default_nettype wire
