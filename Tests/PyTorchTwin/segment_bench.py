#!/usr/bin/env python3
"""PyTorch reference of `pipeline bench --workload segment`: one training step of INR
segmentation with the same shapes and the same work.

16 SIRENs (2->64->64->64->3, omega 30) read through a learnable-pixels tokenizer (128 tokens of
4x4 points on the 32x64 grid of the default rooms, coordinates with gradients, clamped to
[-1, 1]); ViT-tiny encoder (patch 4 as a linear patch embedding, width 192, 12 pre-norm blocks,
3 heads, class token, learned positions) whose head maps every patch token to the 4x4x12 logits of
its points (the per-token linear decoder), laid back into the frame; per-pixel cross-entropy over
12 classes plus the anti-collapse repulsion (w_reg = 1); AdamW (1e-4 model, 1e-5 tokenizer,
weight decay 0.01 on matrices); the points projected into [-1, 1].

Usage: python3 Tests/PyTorchTwin/segment_bench.py --threads 1 [--steps 10] [--warmup 2] [--attn sdpa|manual]
Prints one JSON line with median seconds per step.
"""
import argparse
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from classify_bench import Block, report


class SegViT(nn.Module):
    def __init__(self, attn, height, width, patch=4, dim=192, depth=12, heads=3, classes=12):
        super().__init__()
        self.patch, self.classes = patch, classes
        self.embed = nn.Linear(3 * patch * patch, dim)
        self.cls = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos = nn.Parameter(torch.randn(1, (height // patch) * (width // patch) + 1, dim) * 0.02)
        self.blocks = nn.ModuleList(Block(dim, heads, attn) for _ in range(depth))
        self.norm, self.head = nn.LayerNorm(dim), nn.Linear(dim, classes * patch * patch)

    def forward(self, x):
        b, c, h, w = x.shape
        p = self.patch
        x = x.reshape(b, c, h // p, p, w // p, p).permute(0, 2, 4, 1, 3, 5).reshape(b, (h // p) * (w // p), c * p * p)
        x = torch.cat([self.cls.expand(b, -1, -1), self.embed(x)], 1) + self.pos
        for blk in self.blocks:
            x = blk(x)
        logits = self.head(self.norm(x)[:, 1:])  # b, tokens, classes * p * p
        return logits.reshape(b, h // p, w // p, self.classes, p, p).permute(0, 3, 1, 4, 2, 5).reshape(b, self.classes, h, w)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--attn", choices=["sdpa", "manual"], default="sdpa")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    n, height, width, patch, classes = args.batch, 32, 64, 4, 12
    shapes = [(64, 2), (64, 64), (64, 64), (3, 64)]
    weights = [torch.empty(n, o, i).uniform_(-math.sqrt(6 / i) / 30 if k < 3 else -1 / math.sqrt(i),
                                              math.sqrt(6 / i) / 30 if k < 3 else 1 / math.sqrt(i)) * (30 if k == 0 else 1)
               for k, (o, i) in enumerate(shapes)]
    biases = [torch.empty(n, o).uniform_(-0.1, 0.1) for o, _ in shapes]
    labels = torch.randint(0, classes, (n, height, width))
    xs, ys = torch.linspace(-1, 1, width), torch.linspace(-1, 1, height)
    y, x = torch.meshgrid(ys, xs, indexing="ij")
    th, tw = height // patch, width // patch
    grid = torch.stack([x, y], -1).reshape(th, patch, tw, patch, 2).permute(0, 2, 1, 3, 4).reshape(-1, 2)
    pixels = nn.Parameter(grid.clone())
    model = SegViT(args.attn, height, width, classes=classes)
    decay = [q for q in model.parameters() if q.dim() >= 2]
    rest = [q for q in model.parameters() if q.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "lr": 1e-4, "weight_decay": 0.01},
                             {"params": rest, "lr": 1e-4, "weight_decay": 0.0},
                             {"params": [pixels], "lr": 1e-5, "weight_decay": 0.0}])
    sigma = 2 / (width - 1)

    def step():
        opt.zero_grad(set_to_none=True)
        pts = pixels
        h = torch.sin(30 * (torch.einsum("md,bod->bmo", pts, weights[0]) + biases[0][:, None]))
        for k in (1, 2):
            h = torch.sin(30 * (torch.bmm(h, weights[k].transpose(1, 2)) + biases[k][:, None]))
        rgb = torch.bmm(h, weights[3].transpose(1, 2)) + biases[3][:, None]
        frame = rgb.reshape(n, th, tw, patch, patch, 3).permute(0, 5, 1, 3, 2, 4).reshape(n, 3, height, width)
        # Labels at each point's nearest pixel (in frame order).
        with torch.no_grad():
            col = ((pts[:, 0] + 1) / 2 * (width - 1)).round().long().clamp(0, width - 1)
            row = ((pts[:, 1] + 1) / 2 * (height - 1)).round().long().clamp(0, height - 1)
            source = (row * width + col).reshape(th, tw, patch, patch).permute(0, 2, 1, 3).reshape(-1)
            targets = labels.reshape(n, -1)[:, source].reshape(n, height, width)
        loss = F.cross_entropy(model(frame), targets, ignore_index=255)
        d2 = (pts[:, None] - pts[None]).pow(2).sum(-1)
        m = pts.shape[0]
        loss = loss + (torch.exp(-d2 / sigma ** 2).sum() - m) / (m * (m - 1))
        loss.backward()
        opt.step()
        with torch.no_grad():
            pixels.clamp_(-1, 1)
        return loss.item()

    report("segment", step, args, n)


if __name__ == "__main__":
    main()
