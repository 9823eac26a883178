#!/usr/bin/python3
"""Train Basin's demo model and write its checkpoints.

A small CNN with BatchNorm (9,098 parameters) trained on the first 12,000 Fashion-MNIST training
images from Debian's `dataset-fashion-mnist` package. Every checkpoint is a TorchScript file whose
forward() takes raw IDX pixels (uint8 values cast to float, shape N x 28 x 28 or N x 1 x 28 x 28)
and does its own normalisation, so Basin can feed the IDX files as they are.

Remake the committed files with (PyTorch 1.13, CPU, about a minute on 2 cores):

    /usr/bin/python3 resources/demo/train_demo.py resources/demo

Seeds are fixed; the same PyTorch build gives the same files.
"""
import gzip
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"
TRAIN_IMAGES = 12000
SEED = 20261128


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    _, _, _, ndim = struct.unpack(">BBBB", raw[:4])
    shape = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


class DemoCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(16)
        self.fc = nn.Linear(16 * 7 * 7, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 3:
            x = x.unsqueeze(1)
        x = (x / 255.0 - 0.2860) / 0.3530  # Fashion-MNIST mean and std
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        return self.fc(x.flatten(1))


def save(model, path):
    model.eval()
    torch.jit.script(model).save(path)
    model.train()


def main(out):
    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    images = torch.tensor(read_idx(os.path.join(DATA, "train-images-idx3-ubyte.gz"))[:TRAIN_IMAGES]).float()
    labels = torch.tensor(read_idx(os.path.join(DATA, "train-labels-idx1-ubyte.gz"))[:TRAIN_IMAGES]).long()
    model = DemoCNN()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    batch, epochs = 128, 4
    # Checkpoints at these optimiser steps (0 = the initial weights).
    steps_per_epoch = TRAIN_IMAGES // batch
    save_at = {0: "ckpt_0_init.pt", 30: "ckpt_1_step30.pt", steps_per_epoch: "ckpt_2_epoch1.pt",
               2 * steps_per_epoch: "ckpt_3_epoch2.pt", 3 * steps_per_epoch: "ckpt_4_epoch3.pt",
               4 * steps_per_epoch: "ckpt_5_epoch4.pt"}
    step = 0
    save(model, os.path.join(out, save_at[0]))
    for epoch in range(epochs):
        perm = torch.randperm(TRAIN_IMAGES)
        for i in range(steps_per_epoch):
            idx = perm[i * batch:(i + 1) * batch]
            loss = F.cross_entropy(model(images[idx]), labels[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            if step in save_at:
                save(model, os.path.join(out, save_at[step]))
        model.eval()
        with torch.no_grad():
            sub = model(images[:2048])
            acc = (sub.argmax(1) == labels[:2048]).float().mean().item()
            print(f"epoch {epoch + 1}: loss on the demo's 2,048 images "
                  f"{F.cross_entropy(sub, labels[:2048]).item():.4f}, accuracy {acc:.4f}")
        model.train()
    print("parameters:", sum(p.numel() for p in model.parameters()))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)))
