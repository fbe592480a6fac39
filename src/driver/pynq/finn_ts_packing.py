"""Packing of accelerator streams for finn-ts drivers (numpy only; no FINN or PYNQ needed).

A frame is folded to (words, elements per word); each element is encoded (BIPOLAR: 1 = +1, 0 = -1; integers as
two's complement of `bits` bits); element 0 sits in the low bits of its word; every word is padded to whole bytes
and stored little-endian (byte 0 = bits 7:0). This is FINN's host packing and exactly the word format the finn-ts
RTL testbench drives (src/hw/encode.ts).
"""
import numpy as np


def _check_range(values, spec):
    bits = spec["bits"]
    if spec["bipolar"]:
        if not np.all((values == 1) | (values == -1)):
            raise ValueError("BIPOLAR input must hold only -1 and +1")
        return
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if spec["signed"] else (0, (1 << bits) - 1)
    if values.size and (values.min() < lo or values.max() > hi):
        raise ValueError("%s input must lie in [%d, %d], got [%d, %d]" % (spec["dtype"], lo, hi, values.min(), values.max()))
    if not np.all(np.equal(np.mod(values, 1), 0)):
        raise ValueError("%s input must hold integers" % spec["dtype"])


def fold(x, spec):
    """(N, *shape_normal) -> (N, words, elements per word)."""
    words, per = spec["shape_folded"]
    x = np.asarray(x)
    n = x.shape[0]
    if x.size != n * words * per:
        raise ValueError("expected %d values per frame, got %d" % (words * per, x.size // max(n, 1)))
    return x.reshape(n, words, per)


def pack(x_folded, spec):
    """(N, words, per) values -> (N, words, bytes per word) uint8."""
    v = np.asarray(x_folded)
    _check_range(v, spec)
    bits = spec["bits"]
    codes = (v > 0).astype(np.int64) if spec["bipolar"] else v.astype(np.int64) & ((1 << bits) - 1)
    n, words, per = codes.shape
    bitarr = ((codes[..., None] >> np.arange(bits, dtype=np.int64)) & 1).astype(np.uint8).reshape(n, words, per * bits)
    padded = spec["padded_width"]
    if padded > per * bits:
        bitarr = np.concatenate([bitarr, np.zeros((n, words, padded - per * bits), dtype=np.uint8)], axis=-1)
    return np.packbits(bitarr, axis=-1, bitorder="little")


def unpack(packed, spec):
    """(N, words, bytes per word) uint8 -> (N, words, per) values (padding bits ignored)."""
    p = np.asarray(packed, dtype=np.uint8)
    words, per = spec["shape_folded"]
    bits = spec["bits"]
    p = p.reshape(-1, words, spec["shape_packed"][1])
    bitarr = np.unpackbits(p, axis=-1, bitorder="little")[..., : per * bits].astype(np.int64)
    bitarr = bitarr.reshape(p.shape[0], words, per, bits)
    codes = (bitarr << np.arange(bits, dtype=np.int64)).sum(axis=-1)
    if spec["bipolar"]:
        return 2 * codes - 1
    if spec["signed"]:
        codes = np.where(codes >= (1 << (bits - 1)), codes - (1 << bits), codes)
    return codes


def unfold(x_folded, spec):
    """(N, words, per) -> (N, *shape_normal)."""
    x = np.asarray(x_folded)
    return x.reshape((x.shape[0],) + tuple(spec["shape_normal"]))


def pack_input(x, spec):
    return pack(fold(x, spec), spec)


def unpack_output(buf, spec):
    return unfold(unpack(buf, spec), spec)
