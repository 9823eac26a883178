#!/usr/bin/python3
"""resources/python/basin_export.py on two small models, then basin-cli on what it wrote: the loss
Basin computes equals PyTorch's (at the model's weights and at each state-dict checkpoint).

    /usr/bin/python3 test_basin_export.py BASIN_CLI OUT_DIR      (run by ctest: cli.basin_export)
"""
import json
import math
import os
import subprocess
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "resources", "python"))
import basin_export  # noqa: E402

TOL = 1e-5  # float32 on both sides, summed in different orders


def explicit_attention(q, k, v, is_causal=False):
    s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if is_causal:
        T = q.shape[-2]
        s = s.masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), float("-inf"))
    return torch.softmax(s, -1) @ v


# PyTorch 2's fused attention where there is one (the helper traces it in the explicit form).
attention = getattr(F, "scaled_dot_product_attention", None) or explicit_attention


class TinyCausalLM(nn.Module):
    """HuggingFace-style: forward(input_ids, token_type_ids=None, attention_mask=None, labels=None,
    **kwargs) returning a dict with "logits" (and "loss" with labels). The **kwargs makes
    torch.jit.script fail, so the helper traces it; token_type_ids sits between the two inputs the
    data has, so the traced forward must be (input_ids, attention_mask)."""

    def __init__(self, vocab=13, d=8, T=7):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(0.1 * torch.randn(T, d))
        self.qkv = nn.Linear(d, 3 * d)
        self.ln = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab)

    def forward(self, input_ids, token_type_ids=None, attention_mask=None, labels=None, **kwargs):
        h = self.emb(input_ids) + self.pos
        q, k, v = self.qkv(h).chunk(3, -1)
        h = self.ln(h + attention(q, k, v, is_causal=True))
        if attention_mask is not None:
            h = h * attention_mask.unsqueeze(-1).to(h.dtype)
        logits = self.head(F.gelu(h))
        out = {"logits": logits}
        if labels is not None:
            out["loss"] = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1))
        return out


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 16)
        self.fc2 = nn.Linear(16, 3)

    def forward(self, x):
        return self.fc2(torch.tanh(self.fc1(x)))


def cli(basin_cli, *args):
    r = subprocess.run([basin_cli, *args, "--threads", "1"], capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError("basin-cli %s failed: %s" % (" ".join(args), r.stderr.strip()))
    return json.loads(r.stdout)


def close(got, want, what):
    if abs(got - want) > TOL * abs(want):
        raise AssertionError("%s: %.9g, PyTorch %.9g" % (what, got, want))
    print("ok  %-36s %.9g (PyTorch %.9g)" % (what, got, want))


def language_model(basin_cli, out):
    torch.manual_seed(3)
    N, T, V = 96, 7, 13
    ids = torch.randint(0, V, (N, T))
    lengths = torch.randint(3, T + 1, (N,))
    mask = (torch.arange(T)[None, :] < lengths[:, None]).long()
    labels = torch.full((N, T), -100)
    labels[:, :-1] = ids[:, 1:]
    labels[mask == 0] = -100
    dataset = [{"input_ids": ids[i], "attention_mask": mask[i], "labels": labels[i]} for i in range(N)]
    loader = torch.utils.data.DataLoader(dataset, batch_size=32, shuffle=False)

    model = TinyCausalLM(V, T=T)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    ckpt_dir = os.path.join(out, "training")
    os.makedirs(ckpt_dir, exist_ok=True)
    saved, ckpt_losses = [], []
    for epoch in range(2):  # the training loop saves state dicts, as most do
        for batch in loader:
            opt.zero_grad()
            model(**batch)["loss"].backward()
            opt.step()
        path = os.path.join(ckpt_dir, "epoch%d.pt" % epoch)
        torch.save({"epoch": epoch, "model_state_dict": model.state_dict(), "optimizer_state_dict": opt.state_dict()}, path)
        saved.append(path)
        model.eval()
        with torch.no_grad():  # on the 64 samples exported below
            logits = model(ids[:64], attention_mask=mask[:64])["logits"]
            ckpt_losses.append(F.cross_entropy(logits.reshape(-1, V), labels[:64].reshape(-1)).item())
        model.train()

    res = basin_export.export(model, loader, os.path.join(out, "lm"), samples=64, checkpoints=saved)
    assert res["export"] == "trace", res
    assert res["inputs"] == ["input_ids", "attention_mask"], res
    with torch.no_grad():
        logits = model.eval()(ids[:64], attention_mask=mask[:64])["logits"]
        want = F.cross_entropy(logits.reshape(-1, V), labels[:64].reshape(-1)).item()
    close(res["loss"], want, "helper's own loss (64 samples)")
    info = cli(basin_cli, "info", "--study", res["study"], "--json")
    assert info["output"] == "dict['logits']", info["output"]
    assert [i["name"] for i in info["inputs"]] == ["input_ids", "attention_mask"], info["inputs"]
    assert [i["dtype"] for i in info["inputs"]] == ["int64", "int64"], info["inputs"]
    assert info["class_axis"] == -1, info
    assert info["samples"] == 64
    close(info["loss"], want, "basin-cli info, exported LM")
    # Each checkpoint the training loop saved (state dicts beside an optimizer state).
    table = cli(basin_cli, "compare", "--study", res["study"], "--top", "1", "--probes", "0", "--json")
    for row, want in zip(table["checkpoints"], ckpt_losses):
        close(row["loss"], want, "state dict " + os.path.basename(row["model"]))


def classifier(basin_cli, out):
    torch.manual_seed(4)
    x = torch.randn(50, 4)
    y = torch.randint(0, 3, (50,))
    model = MLP()
    res = basin_export.export(model, (x, y), os.path.join(out, "mlp"), samples=40, checkpoints=[MLP().state_dict()])
    assert res["export"] == "script", res
    with torch.no_grad():
        want = F.cross_entropy(model(x[:40]), y[:40]).item()
    close(res["loss"], want, "helper's own loss (MLP)")
    close(cli(basin_cli, "info", "--study", res["study"], "--json")["loss"], want, "basin-cli info, exported MLP")


def main(basin_cli, out):
    os.makedirs(out, exist_ok=True)
    language_model(basin_cli, out)
    classifier(basin_cli, out)
    print("basin_export: all checks passed")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
