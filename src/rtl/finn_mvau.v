// finn_mvau: Matrix-Vector-Activation Unit (FINN MVAU / MVTU), AXI-Stream in and out, II = 1.
// Folding: SF = MW/SIMD input words per vector, NF = MH/PE output words per vector; NF*SF cycles per vector.
// The nf = 0 pass reads the input stream and fills a vector buffer; passes nf > 0 replay the buffer.
// Pipeline: issue -> (activation, weight ROM) -> per-PE dot product -> accumulate (+ threshold ROM)
//           -> output register + skid register. The whole pipeline stalls only while the skid register is full,
//           so tready never depends combinationally on out_V_tready.
// Weight word nf*SF+sf: weight (neuron nf*PE+p, column sf*SIMD+s) at [(p*SIMD+s)*WBITS +: WBITS].
// Threshold word nf: threshold t of neuron nf*PE+p at [(p*NTHRESH+t)*TBITS +: TBITS], ascending, two's complement.
// Output element p: USE_THRESH ? #{t : acc >= T[t]} + ACT_VAL : acc, extended/truncated to OBITS.
// Products: BINARY_XNOR: 1 if the bits agree (popcount); A_BIPOLAR (ABITS = 1): input bit b means 2b-1, product
// b ? w : -w; otherwise w * a with the signedness given by W_SIGNED / A_SIGNED.
`default_nettype none

module finn_mvau #(
  parameter integer MW = 4,
  parameter integer MH = 4,
  parameter integer PE = 1,
  parameter integer SIMD = 1,
  parameter integer WBITS = 1,
  parameter integer ABITS = 1,
  parameter integer W_SIGNED = 0,
  parameter integer A_SIGNED = 0,
  parameter integer BINARY_XNOR = 1,
  parameter integer A_BIPOLAR = 0,
  parameter integer ACC_BITS = 3,
  parameter integer USE_THRESH = 1,
  parameter integer NTHRESH = 1,
  parameter integer TBITS = 4,
  parameter integer OBITS = 1,
  parameter integer ACT_VAL = 0,
  parameter integer N_VECTORS = 1,
  // XNOR popcount tree: a register after every PIPE levels (0: none; chosen by the part, e.g. 2 on iCE40)
  parameter integer PIPE = 0,
  // input-vector buffer as flip-flops with registered one-hot write selects (parts without LUT RAM, e.g. iCE40: the
  // write enables then come from registers instead of an address decode behind the handshake)
  parameter integer IBUF_FF = 0,
  // one more cycle of latency for parts whose compare carry chains are slow (e.g. iCE40): with thresholds, a register
  // in the middle of every compare (finn_thresh_cmp_pipe: half-width carry chains); without, the result registered
  parameter integer CREG = 0,
  parameter WEIGHT_FILE = "",
  parameter THRESH_FILE = "",
  parameter [8*16-1:0] RAM_STYLE = "auto"
) (
  input  wire                  ap_clk,
  input  wire                  ap_rst_n,
  input  wire [SIMD*ABITS-1:0] in0_V_tdata,
  input  wire                  in0_V_tvalid,
  output wire                  in0_V_tready,
  output wire [PE*OBITS-1:0]   out_V_tdata,
  output wire                  out_V_tvalid,
  input  wire                  out_V_tready
);

  localparam integer SF = MW / SIMD;
  localparam integer NF = MH / PE;
  localparam integer IW = SIMD * ABITS;
  localparam integer OW = PE * OBITS;
  localparam integer WW = PE * SIMD * WBITS;
  localparam integer NT = (USE_THRESH != 0 && NTHRESH > 0) ? NTHRESH : 1;
  localparam integer TW = PE * NT * TBITS;
  localparam integer SFW = SF > 1 ? $clog2(SF) : 1;
  localparam integer NFW = NF > 1 ? $clog2(NF) : 1;
  localparam integer WAW = SF * NF > 1 ? $clog2(SF * NF) : 1;
  localparam integer PW = WBITS + ABITS + 2;                                   // signed product width
  localparam integer SW = (ACC_BITS > PW ? ACC_BITS : PW) + 1;                 // internal sum width (mod 2^SW)
  localparam integer ACC_SIGNED = (BINARY_XNOR == 0 && (W_SIGNED != 0 || A_SIGNED != 0 || A_BIPOLAR != 0)) ? 1 : 0;
  localparam integer PCL = SIMD > 1 ? $clog2(SIMD) : 0;                        // XNOR popcount tree levels
  localparam integer PL = 1 << PCL;                                            // popcount field width per PE
  localparam integer PCW = PCL + 1;                                            // popcount width
  // register stages inside the popcount tree: after levels k < PCL with (k + 1) % PIPE == 0
  localparam integer XS = (BINARY_XNOR != 0 && PIPE > 0) ? PCL / PIPE : 0;
  localparam integer SF_M1 = SF - 1;
  localparam integer NF_M1 = NF - 1;
  localparam integer WA_M1 = SF * NF - 1;
  localparam [SFW-1:0] SF_LAST = SF_M1[SFW-1:0];
  localparam [NFW-1:0] NF_LAST = NF_M1[NFW-1:0];
  localparam [WAW-1:0] WA_LAST = WA_M1[WAW-1:0];

  initial begin
    if (MW < 1 || MH < 1 || PE < 1 || SIMD < 1 || MW % SIMD != 0 || MH % PE != 0) begin
      $display("ERROR: finn_mvau: need MW %% SIMD == 0 and MH %% PE == 0 (MW=%0d SIMD=%0d MH=%0d PE=%0d)",
               MW, SIMD, MH, PE);
      $finish;
    end
    if (WBITS < 1 || ABITS < 1 || OBITS < 1 || ACC_BITS < 1 || N_VECTORS < 1) begin
      $display("ERROR: finn_mvau: WBITS, ABITS, OBITS, ACC_BITS, N_VECTORS must be >= 1");
      $finish;
    end
    if (BINARY_XNOR != 0 && (WBITS != 1 || ABITS != 1 || (1 << ACC_BITS) <= MW)) begin
      $display("ERROR: finn_mvau: BINARY_XNOR needs WBITS = ABITS = 1 and ACC_BITS >= clog2(MW+1) (ACC_BITS=%0d)",
               ACC_BITS);
      $finish;
    end
    if (A_BIPOLAR != 0 && (BINARY_XNOR != 0 || ABITS != 1 || A_SIGNED != 0)) begin
      $display("ERROR: finn_mvau: A_BIPOLAR needs BINARY_XNOR = 0, ABITS = 1 and A_SIGNED = 0");
      $finish;
    end
    if (USE_THRESH != 0 && (NTHRESH < 1 || TBITS < 1 || OBITS > 32)) begin
      $display("ERROR: finn_mvau: USE_THRESH needs NTHRESH >= 1, TBITS >= 1, OBITS <= 32");
      $finish;
    end
  end

  // ---------------- stage 0: issue (fold counters, input stream or vector buffer) ----------------
  wire en;                         // low while the output stage's skid register is full: stall
  reg  [SFW-1:0] sf;
  reg  [SFW-1:0] sf_nx;             // sf's next value, precomputed (the buffer's read address only selects it)
  reg  [NFW-1:0] nf;
  reg  [WAW-1:0] wa;                // weight address nf*SF + sf
  reg  from_stream;                 // nf == 0 (registered: the input's tready comes from registers only)
  wire v0 = from_stream ? in0_V_tvalid : 1'b1;
  wire fire0 = en && v0;
  wire [IW-1:0] ibuf_q;
  assign in0_V_tready = en && from_stream;

  always @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      sf <= {SFW{1'b0}};
      sf_nx <= (SF > 1) ? {{(SFW-1){1'b0}}, 1'b1} : {SFW{1'b0}};
      nf <= {NFW{1'b0}};
      wa <= {WAW{1'b0}};
      from_stream <= 1'b1;
    end else if (fire0) begin
      sf <= sf_nx;
      sf_nx <= (sf_nx == SF_LAST) ? {SFW{1'b0}} : sf_nx + 1'b1;
      if (sf == SF_LAST) nf <= (nf == NF_LAST) ? {NFW{1'b0}} : nf + 1'b1;
      if (sf == SF_LAST) from_stream <= (nf == NF_LAST);
      wa <= (wa == WA_LAST) ? {WAW{1'b0}} : wa + 1'b1;
    end
  end

  generate
    if (NF > 1 && IBUF_FF != 0) begin : g_ibuf_ff
      // wsel[k]: the next stream word goes to buffer word k (one-hot while reading the stream, zero while replaying)
      reg [SF-1:0] wsel;
      reg [IW-1:0] ibuf [0:SF-1];
      always @(posedge ap_clk) begin
        if (!ap_rst_n) wsel <= {{(SF-1){1'b0}}, 1'b1};
        else if (fire0) begin
          if (sf == SF_LAST) wsel <= (nf == NF_LAST) ? {{(SF-1){1'b0}}, 1'b1} : {SF{1'b0}};
          else wsel <= wsel << 1;
        end
      end
      genvar b;
      for (b = 0; b < SF; b = b + 1) begin : g_w
        always @(posedge ap_clk) if (en && in0_V_tvalid && wsel[b]) ibuf[b] <= in0_V_tdata;
      end
      assign ibuf_q = ibuf[sf];
    end else if (NF > 1) begin : g_ibuf
      (* ram_style = "distributed" *) reg [IW-1:0] ibuf [0:SF-1];
      always @(posedge ap_clk) if (fire0 && from_stream) ibuf[sf] <= in0_V_tdata;
      assign ibuf_q = ibuf[sf];
    end else begin : g_no_ibuf
      assign ibuf_q = in0_V_tdata;
    end
  endgenerate

  // ---------------- stage 1: activation word + weight word ----------------
  reg s1_v, s1_first, s1_last;
  reg [NFW-1:0] s1_nf;
  reg [IW-1:0] s1_act;
  wire [WW-1:0] w_q;

  always @(posedge ap_clk) begin
    if (!ap_rst_n) s1_v <= 1'b0;
    else if (en) begin
      s1_v <= v0;
      s1_first <= (sf == {SFW{1'b0}});
      s1_last <= (sf == SF_LAST);
      s1_nf <= nf;
      s1_act <= from_stream ? in0_V_tdata : ibuf_q;
    end
  end

  finn_rom #(.WIDTH(WW), .DEPTH(SF * NF), .ADDR_BITS(WAW), .INIT_FILE(WEIGHT_FILE), .RAM_STYLE(RAM_STYLE))
    u_wmem (.clk(ap_clk), .en(en), .addr(wa), .q(w_q));

  // ---------------- stage 2: per-PE dot product over SIMD lanes (XS more stages inside the popcount tree) ----------------
  reg s2_v, s2_first, s2_last;
  reg [NFW-1:0] s2_nf;
  wire d_v, d_first, d_last;       // stage-1 control, delayed by the tree's XS register stages
  wire [NFW-1:0] d_nf;
  generate
    if (XS > 0) begin : g_xdelay
      reg [XS-1:0] v_sr, first_sr, last_sr;
      reg [XS*NFW-1:0] nf_sr;
      integer i;
      always @(posedge ap_clk) begin
        if (!ap_rst_n) v_sr <= {XS{1'b0}};
        else if (en) begin
          v_sr[0] <= s1_v;
          first_sr[0] <= s1_first;
          last_sr[0] <= s1_last;
          nf_sr[0 +: NFW] <= s1_nf;
          for (i = 1; i < XS; i = i + 1) begin
            v_sr[i] <= v_sr[i-1];
            first_sr[i] <= first_sr[i-1];
            last_sr[i] <= last_sr[i-1];
            nf_sr[i*NFW +: NFW] <= nf_sr[(i-1)*NFW +: NFW];
          end
        end
      end
      assign d_v = v_sr[XS-1];
      assign d_first = first_sr[XS-1];
      assign d_last = last_sr[XS-1];
      assign d_nf = nf_sr[(XS-1)*NFW +: NFW];
    end else begin : g_xnodelay
      assign d_v = s1_v;
      assign d_first = s1_first;
      assign d_last = s1_last;
      assign d_nf = s1_nf;
    end
  endgenerate
  always @(posedge ap_clk) begin
    if (!ap_rst_n) s2_v <= 1'b0;
    else if (en) begin
      s2_v <= d_v;
      s2_first <= d_first;
      s2_last <= d_last;
      s2_nf <= d_nf;
    end
  end

  // ---------------- stage 3: accumulate; threshold ROM read in parallel ----------------
  reg s3_v;                          // accumulator holds a finished dot product
  always @(posedge ap_clk) begin
    if (!ap_rst_n) s3_v <= 1'b0;
    else if (en) s3_v <= s2_v && s2_last;
  end

  wire [TW-1:0] t_q;
  generate
    if (USE_THRESH != 0) begin : g_tmem
      finn_rom #(.WIDTH(TW), .DEPTH(NF), .ADDR_BITS(NFW), .INIT_FILE(THRESH_FILE), .RAM_STYLE(RAM_STYLE))
        u_tmem (.clk(ap_clk), .en(en), .addr(s2_nf), .q(t_q));
    end else begin : g_no_tmem
      assign t_q = {TW{1'b0}};
      wire unused_tmem = &{1'b0, s2_nf, t_q};   // no thresholds: fold index and ROM word unused
    end
  endgenerate

  wire [OW-1:0] res;
  genvar p, k, f;
  generate
    for (p = 0; p < PE; p = p + 1) begin : g_pe
      // stage 2 input: dot product of PE p over the SIMD lanes, modulo 2^SW
      wire [SW-1:0] dot;
      if (BINARY_XNOR != 0) begin : g_xnor
        // popcount of the agreeing bits as an adder tree: the bits fill a PL-bit field (zero padded); level k adds
        // pairs of neighbouring counts (k bits each, from 2^(k-1)-bit fields) into 2^k-bit fields with
        // (x & m) + ((x >> 2^(k-1)) & m). No carry ever crosses a field, so each level is a row of small independent
        // adders in hardware and a few machine-word operations in Verilator (instead of one statement per bit).
        wire [SIMD-1:0] agree = ~(w_q[p*SIMD +: SIMD] ^ s1_act);
        // With PIPE > 0, level k's result is registered (t is the register) when k < PCL and (k + 1) % PIPE == 0.
        for (k = 0; k <= PCL; k = k + 1) begin : g_lvl
          wire [PL-1:0] t;
          wire [PL-1:0] tc;                      // this level's combinational result
          if (k == 0) begin : g_leaf
            if (PL > SIMD) begin : g_pad
              assign tc = {{(PL-SIMD){1'b0}}, agree};
            end else begin : g_dense
              assign tc = agree;
            end
          end else begin : g_add
            wire [PL-1:0] m;                     // low k bits of every 2^k-bit field
            for (f = 0; f < (PL >> k); f = f + 1) begin : g_m
              assign m[f*(1<<k) +: (1<<k)] = {{((1<<k)-k){1'b0}}, {k{1'b1}}};
            end
            assign tc = (g_lvl[k-1].t & m) + ((g_lvl[k-1].t >> (1 << (k-1))) & m);
          end
          if (PIPE > 0 && k < PCL && (k + 1) % (PIPE > 0 ? PIPE : 1) == 0) begin : g_reg
            reg [PL-1:0] r;
            always @(posedge ap_clk) if (en) r <= tc;
            assign t = r;
          end else begin : g_comb
            assign t = tc;
          end
        end
        if (SW > PCW) begin : g_ext
          assign dot = {{(SW-PCW){1'b0}}, g_lvl[PCL].t[PCW-1:0]};
        end else begin : g_cut
          assign dot = g_lvl[PCL].t[SW-1:0];
        end
        wire unused_pc = &{1'b0, g_lvl[PCL].t};   // the field bits above the count are always zero
      end else begin : g_int
        // products are formed as (WBITS+1) x (ABITS+1) signed numbers (A_BIPOLAR: +-w) and summed modulo 2^SW
        reg [SW-1:0] sum;
        integer s;
        reg signed [WBITS:0] we;
        reg signed [ABITS:0] ae;
        reg signed [PW-1:0] wx, pr;
        always @* begin
          sum = {SW{1'b0}};
          we = {(WBITS+1){1'b0}};
          ae = {(ABITS+1){1'b0}};
          wx = {PW{1'b0}};
          pr = {PW{1'b0}};
          for (s = 0; s < SIMD; s = s + 1) begin
            we = {(W_SIGNED != 0) & w_q[(p*SIMD+s)*WBITS+WBITS-1], w_q[(p*SIMD+s)*WBITS +: WBITS]};
            if (A_BIPOLAR != 0) begin
              wx = {{(PW-WBITS-1){we[WBITS]}}, we};
              pr = s1_act[s] ? wx : -wx;
            end else begin
              ae = {(A_SIGNED != 0) & s1_act[s*ABITS+ABITS-1], s1_act[s*ABITS +: ABITS]};
              pr = we * ae;
            end
            sum = sum + {{(SW-PW){pr[PW-1]}}, pr};
          end
        end
        assign dot = sum;
      end

      // stages 2 and 3: dot product register, accumulator
      reg [SW-1:0] s2_dot, acc;
      always @(posedge ap_clk) begin
        if (en) s2_dot <= dot;
        if (en && s2_v) acc <= s2_first ? s2_dot : acc + s2_dot;
      end

      if (USE_THRESH != 0 && CREG != 0) begin : g_thr_pipe
        // the compare register sits inside the compares (half-width carry chains): res is one enabled cycle later
        finn_thresh_cmp_pipe #(.VBITS(ACC_BITS), .V_SIGNED(ACC_SIGNED), .NT(NT), .TBITS(TBITS), .OBITS(OBITS), .ACT_VAL(ACT_VAL))
          u_cmp (.ap_clk(ap_clk), .en(en), .value(acc[ACC_BITS-1:0]), .thresholds(t_q[p*NT*TBITS +: NT*TBITS]), .count(res[p*OBITS +: OBITS]));
      end else if (USE_THRESH != 0) begin : g_thr
        finn_thresh_cmp #(.VBITS(ACC_BITS), .V_SIGNED(ACC_SIGNED), .NT(NT), .TBITS(TBITS), .OBITS(OBITS), .ACT_VAL(ACT_VAL))
          u_cmp (.value(acc[ACC_BITS-1:0]), .thresholds(t_q[p*NT*TBITS +: NT*TBITS]), .count(res[p*OBITS +: OBITS]));
      end else if (OBITS > ACC_BITS) begin : g_ext
        assign res[p*OBITS +: OBITS] = {{(OBITS-ACC_BITS){(ACC_SIGNED != 0) & acc[ACC_BITS-1]}}, acc[ACC_BITS-1:0]};
      end else begin : g_trunc
        assign res[p*OBITS +: OBITS] = acc[OBITS-1:0];
      end
    end
  endgenerate

  // ---------------- (compare register,) output register + skid register ----------------
  wire push;
  wire [OW-1:0] push_data;
  generate
    if (CREG != 0) begin : g_creg
      reg s4_v;
      always @(posedge ap_clk) begin
        if (!ap_rst_n) s4_v <= 1'b0;
        else if (en) s4_v <= s3_v;
      end
      assign push = en && s4_v;
      if (USE_THRESH != 0) begin : g_in_cmp
        assign push_data = res;                  // registered inside the pipelined compares
      end else begin : g_res_reg
        reg [OW-1:0] s4_res;
        always @(posedge ap_clk) if (en) s4_res <= res;
        assign push_data = s4_res;
      end
    end else begin : g_no_creg
      assign push = en && s3_v;
      assign push_data = res;
    end
  endgenerate
  finn_skid #(.WIDTH(OW)) u_out (
    .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .push(push), .push_data(push_data), .en(en),
    .out_V_tdata(out_V_tdata), .out_V_tvalid(out_V_tvalid), .out_V_tready(out_V_tready)
  );

endmodule

`default_nettype wire
