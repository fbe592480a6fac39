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


def from_model_input(x, io):
    """What the original model takes (floats, its layout) -> the accelerator's integers as io_contract says
    (still in the model's layout: the driver applies host_input_perm after)."""
    c = (io.get("io_contract") or {}).get("input") or {}
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0]
    flat = x.reshape(n, -1)
    aff = c.get("affine")
    if aff:
        flat = flat * np.asarray(aff["scale"]) + np.asarray(aff["offset"])
    q = c.get("quant")
    if q and q.get("bipolar"):
        flat = np.where(flat >= 0, 1.0, -1.0)
    elif q:
        bits, signed, narrow = q["bits"], q["signed"], q["narrow"]
        lo = -(2 ** (bits - 1)) + (1 if narrow else 0) if signed else 0
        hi = 2 ** (bits - 1) - 1 if signed else 2 ** bits - 1 - (1 if narrow else 0)
        v = flat / np.asarray(q["scale"]) + q["zeroPoint"]
        mode = q.get("rounding", "ROUND")
        if mode == "ODD":  # round to odd: values on the grid stay, others go to their odd neighbour
            f = np.floor(v)
            v = np.where((v == f) | (np.mod(f, 2) != 0), f, f + 1)
        else:
            v = np.round(v) if mode == "ROUND" else np.floor(v) if mode == "FLOOR" else np.ceil(v) if mode == "CEIL" else np.trunc(v)
        flat = np.clip(v, lo, hi)
    return flat.reshape((n,) + tuple(c.get("shape", [1] + list(x.shape[1:]))[1:]))


def to_model_output(y, io):
    """The accelerator's output frames -> what the user asked for (io_contract): class indices, decisions or scores."""
    c = (io.get("io_contract") or {}).get("output") or {}
    y = np.asarray(y, dtype=np.float64)
    n = y.shape[0]
    kind = c.get("kind")
    if kind == "decision":
        return (y.reshape(n, -1)[:, 0] > 0).astype(np.int64)
    if kind in ("top1", "topk"):
        idx = y.reshape(n, -1).astype(np.int64)
        return idx[:, 0] if kind == "top1" else idx
    deq = c.get("dequant")
    if kind == "scores" and deq:
        s = y.reshape(n, -1) * np.asarray(deq["scale"]) + np.asarray(deq["bias"])
        if c.get("removed") in ("Softmax", "LogSoftmax"):
            e = np.exp(s - s.max(axis=1, keepdims=True))
            p = e / e.sum(axis=1, keepdims=True)
            s = p if c["removed"] == "Softmax" else np.log(p)
        elif c.get("removed") == "Sigmoid":
            s = 1 / (1 + np.exp(-s))
        return s
    return y
