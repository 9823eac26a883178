#!/usr/bin/python3
"""Top-5 Hessian eigenvalues of a small CNN with BatchNorm, side by side in one run: PyHessian's
method (power iteration with deflation on the full batch's gradient graph, its relative-change stop;
re-implemented here from the paper's description, Yao et al. 2020) against basin-cli spectrum with
--hvp auto (first run: auto chooses; second run: the choice kept in the study) and with a fixed mode.

    /usr/bin/python3 bench/vs_pyhessian.py build/release/app/basin-cli [OUTDIR] [THREADS] [ROUNDS]

The model: two 3x3 convolutions with BatchNorm and max-pooling and a linear layer on 8x8 images
(Fashion-MNIST average-pooled to 8x8, 1,797 of them, as sklearn's digits are 1,797 8x8 images),
trained for a few epochs. Times are compute only (after loading), in ROUNDS (default 5) rounds
that each run every method once, back to back; each ratio is taken within its round.
"""
import gzip
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 24, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(24)
        self.fc = nn.Linear(24 * 2 * 2, 10)

    def forward(self, x):
        h = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        h = F.max_pool2d(F.relu(self.bn2(self.conv2(h))), 2)
        return self.fc(h.flatten(1))


def idx(path):
    with gzip.open(path) as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def make(out):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    images = idx("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")[:1797].astype(np.float32) / 255
    labels = idx("/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz")[:1797].astype(np.int64)
    x = F.avg_pool2d(torch.tensor(images)[:, None, 2:26, 2:26], 3)  # 24x24 -> 8x8
    y = torch.tensor(labels)
    model = SmallCNN()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for epoch in range(8):
        perm = torch.randperm(len(y))
        for i in range(0, len(y), 64):
            b = perm[i:i + 64]
            opt.zero_grad()
            F.cross_entropy(model(x[b]), y[b]).backward()
            opt.step()
    model.eval()
    torch.jit.script(model).save(os.path.join(out, "cnn8.pt"))
    np.savez(os.path.join(out, "cnn8.npz"), x=x.numpy(), y=y.numpy())
    with open(os.path.join(out, "cnn8.basin.json"), "w") as f:
        json.dump({"format": "basin-study", "version": 1, "model": "cnn8.pt", "data": {"inputs": "cnn8.npz"},
                   "loss": "cross_entropy", "samples": 0, "batch_size": 1797, "seed": 0}, f)
    return model, x, y


def pyhessian_top(model, x, y, top_n=5, max_iter=100, tol=1e-3):
    """PyHessian's eigenvalues(): the loss's gradient with its graph on the whole batch, then power
    iteration with deflation against the eigenvectors found; an eigenvalue is accepted when it
    changes by less than tol relative to itself between two iterations."""
    params = [p for p in model.parameters() if p.requires_grad]
    loss = F.cross_entropy(model(x), y)
    grads = torch.autograd.grad(loss, params, create_graph=True)
    products = 0
    eigenvalues, vectors = [], []

    def hv(v):
        nonlocal products
        products += 1
        return torch.autograd.grad(grads, params, grad_outputs=v, retain_graph=True)

    def dot(a, b):
        return sum((u * w).sum() for u, w in zip(a, b))

    def normalize(v):
        n = torch.sqrt(dot(v, v))
        return [u / (n + 1e-6) for u in v]

    def orthonormal(v, basis):
        for b in basis:
            c = dot(v, b)
            v = [u - c * w for u, w in zip(v, b)]
        return normalize(v)

    for _ in range(top_n):
        v = normalize([torch.randn_like(p) for p in params])
        eigenvalue = None
        for _ in range(max_iter):
            v = orthonormal(v, vectors)
            hvv = hv(v)
            tmp = dot(hvv, v).item()
            v = normalize(hvv)
            if eigenvalue is not None and abs(eigenvalue - tmp) / (abs(eigenvalue) + 1e-6) < tol:
                eigenvalue = tmp
                break
            eigenvalue = tmp
        eigenvalues.append(eigenvalue)
        vectors.append(v)
    return sorted(eigenvalues, reverse=True), products


def basin(cli, study, mode, threads, fresh, env=None):
    if fresh:  # forget what auto chose before (the study keeps it)
        with open(study) as f:
            j = json.load(f)
        j.pop("results", None)
        with open(study, "w") as f:
            json.dump(j, f)
    r = subprocess.run([cli, "spectrum", "--study", study, "--top", "5", "--hvp", mode, "--threads", str(threads),
                        "--json"], capture_output=True, text=True, check=True, env={**os.environ, **(env or {})})
    j = json.loads(r.stdout)
    return j["seconds"], j["hvp_count"] + j["hvp"]["calibration_products"], j["eigenvalues"][:5], j["hvp"]


def main():
    cli = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) > 2 else "/tmp/basin-vs-pyhessian"
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    torch.set_num_threads(threads)
    model, x, y = make(out)
    n = sum(p.numel() for p in model.parameters())
    study = os.path.join(out, "cnn8.basin.json")
    # The last row switches off Basin's two kernel overrides that matter here (the convolution's
    # second backward that skips the data's gradient, Eigen's matrix products), to show their share.
    pytorch_kernels = {"BASIN_NATIVE_CONV_DOUBLE_BACKWARD": "1", "BASIN_TORCH_MATMUL": "1"}
    configs = [("basin auto, first run (chooses)", "auto", True, None),
               ("basin auto, choice kept in the study", "auto", False, None),
               ("basin exact-reuse", "exact-reuse", True, None), ("basin exact", "exact", True, None),
               ("basin exact-reuse, PyTorch's kernels", "exact-reuse", True, pytorch_kernels)]
    # Interleaved rounds: this machine's speed drifts by tens of percent over a minute, so each
    # round times PyHessian and every Basin run back to back, and a ratio is taken within a round.
    py_times, runs = [], {label: [] for label, _, _, _ in configs}
    result = None
    for _ in range(rounds):
        t0 = time.perf_counter()
        result = pyhessian_top(model, x, y)
        py_times.append(time.perf_counter() - t0)
        for label, mode, fresh, env in configs:
            runs[label].append(basin(cli, study, mode, threads, fresh, env))
    py = statistics.median(py_times)
    print(f"top-5 Hessian eigenvalues, {n} parameters, {len(y)} 8x8 images, {threads} threads, "
          f"median of {rounds} interleaved rounds (ratio: within each round, median and range)")
    print(f"{'method':38s} {'seconds':>8s} {'x PyHessian':>11s} {'range':>11s} {'H*v':>5s}  {'chosen':12s} eigenvalues")
    print(f"{'PyHessian (method re-implemented)':38s} {py:8.3f} {1:11.2f} {'':>11s} {result[1]:5d}  {'':12s} " +
          " ".join(f"{e:.4g}" for e in result[0]))
    for label, _, _, _ in configs:
        r = runs[label]
        ratios = sorted(b[0] / p for b, p in zip(r, py_times))
        secs, products, eig, hvp = sorted(r, key=lambda t: t[0])[len(r) // 2]
        span = f"{ratios[0]:.2f}-{ratios[-1]:.2f}"
        print(f"{label:38s} {secs:8.3f} {statistics.median(ratios):11.2f} {span:>11s} {products:5d}  "
              f"{hvp.get('chosen', ''):12s} " + " ".join(f"{e:.4g}" for e in eig))


if __name__ == "__main__":
    main()
