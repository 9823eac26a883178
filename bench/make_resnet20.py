#!/usr/bin/python3
"""A CIFAR-style ResNet-20 (He et al. 2016; 270k parameters) with random weights and 512 random
32x32 images, as a study for bench_hvp:  /usr/bin/python3 bench/make_resnet20.py OUTDIR"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.short = nn.Sequential()
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + self.short(x))


class ResNet20(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(16)
        layers, cin = [], 16
        for cout, stride in [(16, 1), (32, 2), (64, 2)]:
            for i in range(3):
                layers.append(Block(cin, cout, stride if i == 0 else 1))
                cin = cout
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.layers(F.relu(self.bn(self.conv(x))))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


def main(out):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    m = ResNet20().eval()
    torch.jit.script(m).save(os.path.join(out, "resnet20.pt"))
    np.savez(os.path.join(out, "resnet20_data.npz"), x=torch.randn(512, 3, 32, 32).numpy(),
             y=torch.randint(0, 10, (512,)).numpy())
    with open(os.path.join(out, "resnet20.basin.json"), "w") as f:
        json.dump({"format": "basin-study", "version": 1, "model": "resnet20.pt",
                   "data": {"inputs": "resnet20_data.npz"}, "loss": "cross_entropy",
                   "batch_size": 128, "threads": 2, "seed": 0}, f, indent=2)
    print("parameters:", sum(p.numel() for p in m.parameters()))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "resnet20")
