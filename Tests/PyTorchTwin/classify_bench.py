#!/usr/bin/env python3
"""PyTorch reference of `pipeline bench --workload classify`: one training step of INR
classification with the same shapes and the same work.

128 SIRENs (2->64->64->3, omega 30) read through a learnable-pixels tokenizer (64 tokens of 4x4
points on a 32x32 grid, coordinates with gradients, clamped to [-1, 1]); per sample a weight-space
warp (flip, rotate, shear, translate, each with p = 0.5, absorbed into the first layer) with its
mask, and 2 RandAugment colour operations (magnitude 14, straight-through for equalize/posterize)
on the de-normalized frame; ViT-tiny (patch 4 as a linear patch embedding, width 192, 12 pre-norm
blocks, 3 heads, class token, learned positions); cross-entropy plus the anti-collapse repulsion
(w_reg = 1); Adam (lr 1e-4) on the model and the tokenizer; the points projected into [-1, 1].

Usage: python3 Tests/PyTorchTwin/classify_bench.py --threads 1 [--steps 10] [--warmup 2] [--attn sdpa|manual]
Prints one JSON line with median seconds per step.
"""
import argparse
import json
import math
import statistics
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
OPS = ["auto_contrast", "equalize", "invert", "posterize", "solarize", "solarize_add", "color", "contrast", "brightness", "sharpness"]
RANGES = {"posterize": (0, 4), "solarize": (0, 256), "solarize_add": (0, 110)}


class Block(nn.Module):
    def __init__(self, dim, heads, attn):
        super().__init__()
        self.heads, self.attn = heads, attn
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.qkv, self.proj = nn.Linear(dim, 3 * dim), nn.Linear(dim, dim)
        self.fc1, self.fc2 = nn.Linear(dim, 4 * dim), nn.Linear(4 * dim, dim)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(self.norm1(x)).reshape(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        if self.attn == "sdpa":
            a = F.scaled_dot_product_attention(q, k, v)
        else:
            a = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(d // self.heads), dim=-1) @ v
        x = x + self.proj(a.transpose(1, 2).reshape(b, t, d))
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


class ViT(nn.Module):
    def __init__(self, attn, img=32, patch=4, dim=192, depth=12, heads=3, classes=10):
        super().__init__()
        self.patch = patch
        self.embed = nn.Linear(3 * patch * patch, dim)
        self.cls = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos = nn.Parameter(torch.randn(1, (img // patch) ** 2 + 1, dim) * 0.02)
        self.blocks = nn.ModuleList(Block(dim, heads, attn) for _ in range(depth))
        self.norm, self.head = nn.LayerNorm(dim), nn.Linear(dim, classes)

    def forward(self, x):
        b, c, h, w = x.shape
        p = self.patch
        x = x.reshape(b, c, h // p, p, w // p, p).permute(0, 2, 4, 1, 3, 5).reshape(b, (h // p) * (w // p), c * p * p)
        x = torch.cat([self.cls.expand(b, -1, -1), self.embed(x)], 1) + self.pos
        for blk in self.blocks:
            x = blk(x)
        return self.head(self.norm(x)[:, 0])


def grid_points(size, patch):
    axis = torch.linspace(-1, 1, size)
    y, x = torch.meshgrid(axis, axis, indexing="ij")
    pts = torch.stack([x, y], -1)  # [H, W, 2]
    t = size // patch
    return pts.reshape(t, patch, t, patch, 2).permute(0, 2, 1, 3, 4).reshape(t * t, patch * patch, 2)


def draw_warp(rng):
    a, t = np.eye(2), np.zeros(2)

    def then(m, s=np.zeros(2)):
        nonlocal a, t
        a, t = m @ a, m @ t + s

    if rng.random() < 0.5:
        then(np.diag([-1.0, 1.0]))
    if rng.random() < 0.5:
        th = rng.uniform(-30, 30) * math.pi / 180
        then(np.array([[math.cos(th), math.sin(th)], [-math.sin(th), math.cos(th)]]))
    if rng.random() < 0.5:
        s = rng.uniform(-0.3, 0.3)
        then(np.array([[1, s], [0, 1]]) if rng.random() < 0.5 else np.array([[1, 0], [s, 1]]))
    if rng.random() < 0.5:
        then(np.eye(2), -rng.uniform(-0.66, 0.66, size=2))
    return a, t


def grey(x):
    return 0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3]


def equalize(x):
    v = (x.detach() * 255 + 0.5).long().clamp(0, 255)
    b, c, h, w = v.shape
    flat = v.reshape(b * c, h * w)
    out = torch.empty(b * c, h * w)
    for i in range(b * c):
        hist = torch.bincount(flat[i], minlength=256)
        last = int(hist.nonzero().max())
        step = (h * w - int(hist[last])) // 255
        if step == 0:
            out[i] = x.detach().reshape(b * c, h * w)[i]
            continue
        lut = ((torch.cumsum(hist, 0) - hist + step // 2) // step).clamp(max=255).float() / 255
        out[i] = lut[flat[i]]
    return out.reshape(b, c, h, w)


def apply_op(op, x, m=14):
    lo, hi = RANGES.get(op, (0.1, 1.9))
    v = m / 30 * (hi - lo) + lo
    if op == "auto_contrast":
        f = x.flatten(2)
        high, low = f.max(2, keepdim=True)[0], f.min(2, keepdim=True)[0]
        span = high - low
        y = torch.where(span > 1e-6, (f - low) / span.clamp(min=1e-6), f).reshape(x.shape)
    elif op == "equalize":
        y = x + (equalize(x) - x).detach()
    elif op == "invert":
        y = 1 - x
    elif op == "posterize":
        step = 256 // (1 << max(1, int(v)))
        y = x + ((torch.round(x.detach() * 255).clamp(0, 255) / step).floor() * step / 255 - x).detach()
    elif op == "solarize":
        y = torch.where(x < v / 255, x, 1 - x)
    elif op == "solarize_add":
        z = (x + v / 255).clamp(0, 1)
        y = torch.where(z < 128 / 255, z, 1 - z)
    elif op == "color":
        g = grey(x)
        y = g + (x - g) * v
    elif op == "contrast":
        g = grey(x).mean((1, 2, 3), keepdim=True)
        y = g + (x - g) * v
    elif op == "brightness":
        y = x * v
    else:  # sharpness
        k = torch.tensor([[1.0, 1, 1], [1, 5, 1], [1, 1, 1]]) / 13
        s = F.conv2d(x.reshape(-1, 1, *x.shape[2:]), k.view(1, 1, 3, 3), padding=1).reshape(x.shape)
        inner = torch.zeros_like(x[:1, :1])
        inner[..., 1:-1, 1:-1] = 1
        d = torch.where(inner > 0, s, x)
        y = d + (x - d) * v
    return y.clamp(0, 1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--attn", choices=["sdpa", "manual"], default="sdpa")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    n, size, patch = args.batch, 32, 4
    shapes = [(64, 2), (64, 64), (3, 64)]
    weights = [torch.empty(n, o, i).uniform_(-math.sqrt(6 / i) / 30 if k < 2 else -1 / math.sqrt(i),
                                              math.sqrt(6 / i) / 30 if k < 2 else 1 / math.sqrt(i)) * (30 if k == 0 else 1)
               for k, (o, i) in enumerate(shapes)]
    biases = [torch.empty(n, o).uniform_(-0.1, 0.1) for o, _ in shapes]
    labels = torch.randint(0, 10, (n,))
    pixels = nn.Parameter(grid_points(size, patch).clone())
    model = ViT(args.attn)
    opt = torch.optim.Adam([{"params": model.parameters(), "lr": 1e-4}, {"params": [pixels], "lr": 1e-4}])
    sigma = 2 / (size - 1)
    t = size // patch

    def step():
        opt.zero_grad(set_to_none=True)
        warps = [draw_warp(rng) for _ in range(n)]
        a = torch.tensor(np.stack([w[0] for w in warps]), dtype=torch.float32)
        tr = torch.tensor(np.stack([w[1] for w in warps]), dtype=torch.float32)
        w0 = weights[0] @ a
        b0 = biases[0] + (weights[0] @ tr.unsqueeze(-1)).squeeze(-1)
        pts = pixels.clamp(-1, 1).reshape(-1, 2)
        with torch.no_grad():
            moved = torch.einsum("bij,mj->bmi", a, pts) + tr[:, None]
            mask = (moved.abs() <= 1 + 1e-4).all(-1, keepdim=True).float()
        h = torch.sin(30 * (torch.einsum("md,bod->bmo", pts, w0) + b0[:, None]))
        h = torch.sin(30 * (torch.bmm(h, weights[1].transpose(1, 2)) + biases[1][:, None]))
        rgb = torch.bmm(h, weights[2].transpose(1, 2)) + biases[2][:, None]
        frame = rgb.reshape(n, t, t, patch, patch, 3).permute(0, 5, 1, 3, 2, 4).reshape(n, 3, size, size)
        msk = mask.reshape(n, t, t, patch, patch, 1).permute(0, 5, 1, 3, 2, 4).reshape(n, 1, size, size)
        x = (frame * STD + MEAN).clamp(0, 1)
        plans = [[OPS[rng.integers(len(OPS))] for _ in range(2)] for _ in range(n)]
        for pos in range(2):
            pieces, order = [], []
            for op in sorted(set(pl[pos] for pl in plans)):
                rows = [i for i in range(n) if plans[i][pos] == op]
                pieces.append(apply_op(op, x[rows]))
                order += rows
            inverse = torch.empty(n, dtype=torch.long)
            inverse[torch.tensor(order)] = torch.arange(n)
            x = torch.cat(pieces)[inverse]
        x = (x - MEAN) / STD * msk
        loss = F.cross_entropy(model(x), labels)
        d2 = (pts[:, None] - pts[None]).pow(2).sum(-1)
        m = pts.shape[0]
        loss = loss + (torch.exp(-d2 / sigma ** 2).sum() - m) / (m * (m - 1))
        loss.backward()
        opt.step()
        with torch.no_grad():
            pixels.clamp_(-1, 1)
        return loss.item()

    report("classify", step, args, n)


def report(name, step, args, batch):
    """Times `step` (after `args.warmup` untimed calls) and prints the JSON line."""
    times = []
    for i in range(args.warmup + args.steps):
        start = time.perf_counter()
        step()
        if i >= args.warmup:
            times.append(time.perf_counter() - start)
    print(json.dumps({"bench": name, "threads": args.threads, "attn": args.attn, "batch": batch,
                      "median_s": round(statistics.median(times), 4), "min_s": round(min(times), 4)}))


if __name__ == "__main__":
    main()
