"""PYNQ runtime for a finn-ts accelerator (FINN's driver_base layout).

Block design (vivado/block_design.tcl): axi_dma_0 MM2S -> AXIS width converter -> finn_design s_axis_0;
finn_design m_axis_0 -> TLAST generator -> width converter -> axi_dma_0 S2MM; axi_gpio_0 channel 1 holds the number of
frames per S2MM transfer (the TLAST period). The PL clock is set to the clock the design was built for (io_shape_dict
"fclk_mhz"), never assumed.
"""
import time

import numpy as np

import finn_ts_packing as packing

try:  # PYNQ is only needed on the board; packing works anywhere
    from pynq import Overlay, allocate
    from pynq.ps import Clocks
except ImportError:  # pragma: no cover
    Overlay = object
    allocate = None
    Clocks = None


class FinnTsAccel(Overlay):
    def __init__(self, bitfile_name, io_shape_dict, batch_size=1, fclk_mhz=None, download=True):
        super().__init__(bitfile_name, download=download)
        self.io = io_shape_dict
        self.fclk_mhz = fclk_mhz if fclk_mhz is not None else io_shape_dict["fclk_mhz"]
        if Clocks is not None and self.fclk_mhz:
            Clocks.fclk0_mhz = self.fclk_mhz
            actual = Clocks.fclk0_mhz
            if abs(actual - self.fclk_mhz) > 0.5:
                print("warning: PL clock is %.2f MHz, the design was built for %.2f MHz" % (actual, self.fclk_mhz))
        self.dma = getattr(self, io_shape_dict["dma_name"])
        self.gpio = getattr(self, io_shape_dict["tlast_gpio_name"])
        self.batch_size = batch_size

    @property
    def batch_size(self):
        return self._batch_size

    @batch_size.setter
    def batch_size(self, n):
        self._batch_size = int(n)
        self.gpio.channel1.write(self._batch_size, 0xFFFFFFFF)  # TLAST after this many output frames
        inp, out = self.io["input"], self.io["output"]
        self.ibuf = allocate(shape=(self._batch_size,) + tuple(inp["shape_packed"]), dtype=np.uint8)
        self.obuf = allocate(shape=(self._batch_size,) + tuple(out["shape_packed"]), dtype=np.uint8)

    def to_graph_order(self, x):
        """Frames in the host layout (e.g. NCHW images) -> the order the accelerator streams (host_input_perm)."""
        perm, shape = self.io.get("host_input_perm"), self.io.get("host_input_shape")
        x = np.asarray(x)
        if not perm:
            return x
        n = x.shape[0]
        return x.reshape((n,) + tuple(shape[1:])).transpose(perm).reshape((n,) + tuple(self.io["input"]["shape_normal"]))

    def from_model_input(self, x):
        """What the original model takes (floats, its layout) -> the accelerator's integers (io_contract, then layout)."""
        return self.to_graph_order(packing.from_model_input(x, self.io))

    def to_model_output(self, y):
        """The accelerator's output frames -> what the user asked for (io_contract): class indices, decisions or scores."""
        return packing.to_model_output(y, self.io)

    def execute_on_buffers(self):
        self.dma.recvchannel.transfer(self.obuf)
        self.dma.sendchannel.transfer(self.ibuf)
        self.dma.sendchannel.wait()
        self.dma.recvchannel.wait()

    def execute(self, x):
        """x: (batch, *ishape_normal) in graph order -> (batch, *oshape_normal)."""
        x = np.asarray(x)
        if x.shape[0] != self.batch_size:
            self.batch_size = x.shape[0]
        self.ibuf[:] = packing.pack_input(x, self.io["input"])
        self.ibuf.flush()
        self.execute_on_buffers()
        self.obuf.invalidate()
        return packing.unpack_output(np.array(self.obuf), self.io["output"])

    def throughput_test(self):
        """FINN's throughput_test figures for the current batch size (random valid inputs)."""
        res = {}
        inp, out = self.io["input"], self.io["output"]
        n = self.batch_size
        rng = np.random.default_rng(0)
        if inp["bipolar"]:
            x = rng.choice([-1, 1], size=(n,) + tuple(inp["shape_normal"]))
        else:
            lo, hi = (-(1 << (inp["bits"] - 1)), (1 << (inp["bits"] - 1)) - 1) if inp["signed"] else (0, (1 << inp["bits"]) - 1)
            x = rng.integers(lo, hi + 1, size=(n,) + tuple(inp["shape_normal"]))
        start = time.time()
        self.execute_on_buffers()
        runtime = time.time() - start
        res["runtime[ms]"] = runtime * 1000
        res["throughput[images/s]"] = n / runtime
        res["DRAM_in_bandwidth[MB/s]"] = n * int(np.prod(inp["shape_packed"])) / runtime / 1e6
        res["DRAM_out_bandwidth[MB/s]"] = n * int(np.prod(out["shape_packed"])) / runtime / 1e6
        res["fclk[mhz]"] = Clocks.fclk0_mhz if Clocks is not None else self.fclk_mhz
        res["batch_size"] = n
        start = time.time()
        folded = packing.fold(x, inp)
        res["fold_input[ms]"] = (time.time() - start) * 1000
        start = time.time()
        packed = packing.pack(folded, inp)
        res["pack_input[ms]"] = (time.time() - start) * 1000
        start = time.time()
        self.ibuf[:] = packed
        self.ibuf.flush()
        res["copy_input_data_to_device[ms]"] = (time.time() - start) * 1000
        start = time.time()
        self.obuf.invalidate()
        ob = np.array(self.obuf)
        res["copy_output_data_from_device[ms]"] = (time.time() - start) * 1000
        start = time.time()
        y = packing.unpack(ob, out)
        res["unpack_output[ms]"] = (time.time() - start) * 1000
        start = time.time()
        packing.unfold(y, out)
        res["unfold_output[ms]"] = (time.time() - start) * 1000
        return res
