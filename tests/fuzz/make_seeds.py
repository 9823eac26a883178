#!/usr/bin/python3
"""Writes the small seed corpora of the fuzz harnesses into corpus/<target>/ (committed; rerun
only to change them):  /usr/bin/python3 tests/fuzz/make_seeds.py
Each seed is a valid file of its kind, a few hundred bytes to a few kB, so libFuzzer starts from
inputs that reach deep into each reader."""
import gzip
import io
import json
import os
import struct

import numpy as np
import torch
import torch.nn as nn

here = os.path.dirname(os.path.abspath(__file__))


def target(name):
    d = os.path.join(here, "corpus", name)
    os.makedirs(d, exist_ok=True)
    return lambda f: os.path.join(d, f)


def idx(dims, payload, code):
    return bytes([0, 0, code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + payload


class Data(nn.Module):
    def __init__(self, x, y):
        super().__init__()
        self.x = x
        self.y = y

    def forward(self):
        return self.x


def main():
    p = target("npy")
    np.save(p("f4_2x3.npy"), np.arange(6, dtype=np.float32).reshape(2, 3))
    np.save(p("u1_5.npy"), np.arange(5, dtype=np.uint8))
    np.save(p("i8_scalar.npy"), np.array(7, dtype=np.int64))
    np.save(p("b1_2x2.npy"), np.array([[True, False], [False, True]]))
    with open(p("f8_v2.npy"), "wb") as f:
        np.lib.format.write_array(f, np.ones(3), version=(2, 0))

    p = target("npz")
    x, y = np.arange(6, dtype=np.float32).reshape(3, 2), np.array([0, 1, 0], dtype=np.int64)
    np.savez(p("stored.npz"), x=x, y=y)
    np.savez_compressed(p("deflated.npz"), images=x, labels=y)

    p = target("idx")
    open(p("u1_2x2x2-idx3-ubyte"), "wb").write(idx([2, 2, 2], bytes(range(8)), 0x08))
    open(p("i4_3-idx1-ubyte"), "wb").write(idx([3], struct.pack(">3i", -1, 0, 1), 0x0C))
    open(p("f8_2-idx1-ubyte"), "wb").write(idx([2], struct.pack(">2d", 0.5, -2.0), 0x0E))
    open(p("u1_4x3-idx2-ubyte.gz"), "wb").write(gzip.compress(idx([4, 3], bytes(range(12)), 0x08)))

    p = target("csv")
    open(p("plain.csv"), "w").write("a,b,y\n1,2.5,0\n-3,4e-2,1\n")
    open(p("quoted_crlf.csv"), "w", newline="").write('"x1","x2",label\r\n0.1,+2,1\r\n\r\nnan,inf,0\r\n')

    p = target("json")
    json.dump({"format": "basin-study", "version": 1, "name": "seed", "model": "m.pt", "checkpoints": ["a.pt", "b.pt"],
               "data": {"inputs": "x.npz", "targets": "", "input_key": "x", "target_key": "y"}, "loss": "mse",
               "samples": 10, "batch_size": 4, "seed": 3, "threads": 1, "dtype": "float64", "hvp": "exact",
               "operator": "ggn", "hvp_tolerance": 1e-6, "results": {"0123abcd": {"analysis": "spectrum", "result": {}}}},
              open(p("study.json"), "w"))
    json.dump({"format": "basin-surface", "version": 1, "xcoordinates": [-1, 0, 1], "ycoordinates": [0, 1],
               "loss": [[1.5, 1.0, None], [2.0, None, 3.0]], "accuracy": [[0.5, 0.75, None], [None, None, 1.0]],
               "done": [[1, 1, 0], [1, 0, 1]], "x_label": "x", "y_label": "y", "bn": "eval",
               "trajectory": [{"x": 0.1, "y": 0.2, "label": "ckpt"}], "cosine_xy": 0.01, "complete": False},
              open(p("surface.json"), "w"))

    p = target("torch")
    torch.manual_seed(0)
    x, y = torch.randn(3, 2), torch.tensor([0, 1, 0])
    torch.save({"x": x, "y": y}, p("dict.pt"))
    torch.save(x, p("tensor.pt"))
    torch.save((x.double(), y), p("tuple.pt"))
    torch.save({"x": x[:, 1], "y": y}, p("view.pt"))  # a strided view: offset 1, stride 2
    torch.jit.script(Data(x, y)).save(p("module.pt"))

    # The pickles inside those archives, for the pickle checker on its own.
    import zipfile
    q = target("pickle")
    for f in sorted(os.listdir(os.path.dirname(p("x")))):
        with zipfile.ZipFile(p(f)) as z:
            for n in z.namelist():
                if n.endswith(".pkl") or n.endswith(".debug_pkl"):
                    open(q(f[:-3] + "_" + n.split("/")[-1]), "wb").write(z.read(n))


if __name__ == "__main__":
    main()
