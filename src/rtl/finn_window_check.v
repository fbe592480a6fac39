// finn_window_check: the sliding-window geometry checks shared by finn_swg and finn_swg_par (elaboration time only,
// no logic): 1 <= K <= IFM, S >= 1 and OFM = (IFM-K)/S+1; an illegal set prints its ERROR (prefixed with NAME) and
// finishes the simulation.
`default_nettype none

module finn_window_check #(
  parameter NAME = "finn_swg",              // untyped: Icarus prints a string in a wider vector as empty
  parameter integer IFM_H = 4,
  parameter integer IFM_W = 4,
  parameter integer K_H = 3,
  parameter integer K_W = 3,
  parameter integer S_H = 1,
  parameter integer S_W = 1,
  parameter integer OFM_H = 2,
  parameter integer OFM_W = 2
) ();

  initial begin
    if (K_H < 1 || K_W < 1 || S_H < 1 || S_W < 1 || K_H > IFM_H || K_W > IFM_W) begin
      $display("ERROR: %0s: need 1 <= K <= IFM and S >= 1 (IFM %0dx%0d, K %0dx%0d, S %0dx%0d)",
               NAME, IFM_H, IFM_W, K_H, K_W, S_H, S_W);
      $finish;
    end
    if (K_H <= IFM_H && K_W <= IFM_W && S_H >= 1 && S_W >= 1 &&
        (OFM_H != (IFM_H - K_H) / S_H + 1 || OFM_W != (IFM_W - K_W) / S_W + 1)) begin
      $display("ERROR: %0s: OFM %0dx%0d, expected (IFM-K)/S+1 = %0dx%0d", NAME, OFM_H, OFM_W,
               (IFM_H - K_H) / S_H + 1, (IFM_W - K_W) / S_W + 1);
      $finish;
    end
  end

endmodule

`default_nettype wire
