#!/usr/bin/python3
"""Two transformer studies over int64 token ids for bench_hvp, with random weights and tokens:
  tiny:  the test suite's text classifier (1 block, d=8, T=6; 763 parameters), 512 sequences;
  large: a causal language model (4 blocks, d=128, 4 heads, T=64, vocab 256; about 600k
         parameters), 128 sequences, (N, T, V) logits, a tenth of the targets -100.
Attention is written as softmax(Q K^T / sqrt(d)) V, with LayerNorm and GELU.

    /usr/bin/python3 bench/make_transformer.py OUTDIR
    ./build/release/bench/bench_hvp OUTDIR/tiny.basin.json
    ./build/release/bench/bench_hvp OUTDIR/large.basin.json
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor


class Attention(nn.Module):
    def __init__(self, d: int, heads: int, causal: bool):
        super().__init__()
        self.qkv = nn.Linear(d, 3 * d)
        self.o = nn.Linear(d, d)
        self.heads = heads
        self.scale = 1.0 / math.sqrt(d // heads)
        self.causal = causal

    def forward(self, h: Tensor) -> Tensor:
        N, T, d = h.shape
        qkv = self.qkv(h).reshape(N, T, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        s = q @ k.transpose(-2, -1) * self.scale
        if self.causal:
            s = s.masked_fill(torch.ones(T, T, dtype=torch.bool, device=h.device).triu(1), -1e9)
        return self.o((torch.softmax(s, -1) @ v).transpose(1, 2).reshape(N, T, d))


class Block(nn.Module):
    def __init__(self, d: int, heads: int, ff: int, causal: bool):
        super().__init__()
        self.ln1 = nn.LayerNorm(d)
        self.attn = Attention(d, heads, causal)
        self.ln2 = nn.LayerNorm(d)
        self.ff1 = nn.Linear(d, ff)
        self.ff2 = nn.Linear(ff, d)

    def forward(self, h: Tensor) -> Tensor:  # pre-norm, as GPT-2
        h = h + self.attn(self.ln1(h))
        return h + self.ff2(F.gelu(self.ff1(self.ln2(h))))


class LM(nn.Module):
    def __init__(self, vocab=256, d=128, T=64, heads=4, ff=256, layers=4):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(0.02 * torch.randn(T, d))
        self.blocks = nn.Sequential(*[Block(d, heads, ff, True) for _ in range(layers)])
        self.ln = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab)

    def forward(self, input_ids: Tensor) -> Tensor:
        return self.head(self.ln(self.blocks(self.emb(input_ids) + self.pos)))


def study(out, name, model, arrays, batch):
    torch.jit.script(model.eval()).save(os.path.join(out, name + ".pt"))
    np.savez(os.path.join(out, name + "_data.npz"), **arrays)
    with open(os.path.join(out, name + ".basin.json"), "w") as f:
        json.dump({"format": "basin-study", "version": 1, "name": name, "model": name + ".pt",
                   "data": {"inputs": name + "_data.npz"}, "loss": "cross_entropy",
                   "batch_size": batch, "threads": 2, "seed": 0}, f, indent=2)
    print("%s: %d parameters" % (name, sum(p.numel() for p in model.parameters())))


def main(out):
    os.makedirs(out, exist_ok=True)
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures"))
    from model_reach import TokenClassifier  # the test suite's own tiny transformer
    torch.manual_seed(0)
    ids = torch.randint(0, 11, (512, 6))
    y = ((ids == 3).sum(1) + (ids[:, 0] > 5).long()) % 3
    study(out, "tiny", TokenClassifier(), {"input_ids": ids.numpy(), "labels": y.numpy()}, 128)

    ids = torch.randint(0, 256, (128, 64))
    y = torch.full_like(ids, -100)
    y[:, :-1] = ids[:, 1:]
    y[torch.rand(y.shape) < 0.1] = -100
    study(out, "large", LM(), {"input_ids": ids.numpy(), "labels": y.numpy()}, 32)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "transformer")
