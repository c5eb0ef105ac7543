#!/usr/bin/env python3
"""Linear probes of the MAE's volume encoder: does pretraining put anything readable into it?

Reads a finished `pretrain` run and its zoo (`Checkpoints/NAME/{zoo3d,pretrain}`), encodes every
scene's whole volume (all tokens visible) with the newest pretraining checkpoint and with a
randomly drawn encoder of the same shape, and fits logistic-regression probes on frozen features:

  - **turn**: each volume turned by k quarter turns about the vertical axis; the probe names k. Fitted
    on the training scenes' four turns, scored on the held-out scenes' (chance 25%). A model that
    regresses pose against a turned scene needs exactly this.
  - **category**: the scene's class, scored on the held-out scenes and by 5-fold cross-validation
    over all scenes (the MAE never saw labels; chance about 1 / classes).

Features: `mean` (the encoder's tokens averaged), `pooled` (averaged over 2³ neighbours, then
flattened in grid order, as the pose model's volume summary reads them), and the raw volume
averaged to 8³ cells as a baseline without any encoder.

Needs `pip install torch safetensors h5py numpy`. Usage:
    python3 Tests/PyTorchTwin/volume_probe.py Checkpoints/default [--seed 0]
"""
import argparse
import glob
import json
import math
import os
import sys

import h5py
import numpy as np
import torch
import torch.nn as nn
from safetensors.numpy import load_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from twin import Encoder  # noqa: E402


def sincos_3d(dim, grid):
    """SinCosEmbedding.threeDimensional: a third of the channels per axis, z-major order."""
    def axis(width):
        half = width // 2
        out = np.zeros((grid, width))
        for p in range(grid):
            for i in range(half):
                omega = 1 / 10000 ** (i / half)
                out[p, i], out[p, half + i] = math.sin(p * omega), math.cos(p * omega)
        return out
    a = axis(dim // 3)
    rows = [np.concatenate([a[z], a[y], a[x]]) for z in range(grid) for y in range(grid) for x in range(grid)]
    return torch.tensor(np.array(rows), dtype=torch.float32)


class VolumeEncoder(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.patch = int(model["patch_size"])
        self.grid = int(model["grid_size"]) // self.patch
        dim = int(model["dim"])
        self.patch_embed = nn.Linear(self.patch ** 3 * 4, dim)
        self.encoder = Encoder(dim, int(model["depth"]), int(model["heads"]), model.get("mlp_ratio", 4.0))
        self.register_buffer("positions", sincos_3d(dim, self.grid))

    def tokens(self, volumes):
        """VolumePatches.patchify: [B, Z, Y, X, C] → [B, N, P³·C], z-major tokens."""
        b, g, p = volumes.shape[0], self.grid, self.patch
        return volumes.reshape(b, g, p, g, p, g, p, 4).permute(0, 1, 3, 5, 2, 4, 6, 7).reshape(b, g ** 3, p ** 3 * 4)

    def forward(self, volumes):
        return self.encoder(self.patch_embed(self.tokens(volumes)) + self.positions)


def features(encoder, volumes, batch=16):
    """{'mean': [S, d], 'pooled': [S, (g/2)³·d]} for the volumes."""
    means, pooled = [], []
    g, d = encoder.grid, encoder.positions.shape[1]
    with torch.no_grad():
        for start in range(0, volumes.shape[0], batch):
            h = encoder(volumes[start:start + batch])
            b, q = h.shape[0], g // 2
            means.append(h.mean(1))
            pooled.append(h.reshape(b, q, 2, q, 2, q, 2, d).permute(0, 1, 3, 5, 2, 4, 6, 7).reshape(b, q ** 3, 8, d).mean(2).reshape(b, -1))
    return {"mean": torch.cat(means), "pooled": torch.cat(pooled)}


def probe(x, y, train, test, classes, seed, epochs=300, weight_decay=1e-3):
    """Multinomial logistic regression on standardized features; accuracy on `test` and `train`."""
    torch.manual_seed(seed)
    mean, std = x[train].mean(0), x[train].std(0) + 1e-6
    x = (x - mean) / std
    linear = nn.Linear(x.shape[1], classes)
    optimizer = torch.optim.Adam(linear.parameters(), 1e-2, weight_decay=weight_decay)
    for _ in range(epochs):
        optimizer.zero_grad()
        nn.functional.cross_entropy(linear(x[train]), y[train]).backward()
        optimizer.step()
    with torch.no_grad():
        predicted = linear(x).argmax(1)
    return (predicted[test] == y[test]).float().mean().item(), (predicted[train] == y[train]).float().mean().item()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", help="a pipeline's checkpoint folder, e.g. Checkpoints/default")
    parser.add_argument("--seed", type=int, default=0, help="draw of the random encoder and the probes")
    args = parser.parse_args()
    model = json.load(open(f"{args.run}/pretrain/config.json"))["stage"]["model"]
    volumes = torch.tensor(load_file(glob.glob(f"{args.run}/zoo3d/zoo-volumes-*.safetensors")[0])["volumes"])
    with h5py.File(f"{args.run}/zoo3d/zoo.h5", "r") as zoo:
        labels, split = zoo["labels"][:].astype(np.int64), zoo["split"][:]
    scenes, classes = volumes.shape[0], int(labels.max()) + 1
    training, held_out = split == 0, split != 0
    print(f"{scenes} scenes ({training.sum()} training, {held_out.sum()} held out), {classes} classes; "
          f"chance: turn 25%, category {100 / classes:.0f}%")

    torch.manual_seed(args.seed)
    checkpoint = sorted(glob.glob(f"{args.run}/pretrain/checkpoints/step-*.safetensors"))[-1]
    weights = load_file(checkpoint)
    pretrained = VolumeEncoder(model)
    missing = pretrained.load_state_dict({k[len("model."):]: torch.tensor(v) for k, v in weights.items()
                                          if k.startswith("model.patch_embed") or k.startswith("model.encoder")}, strict=False)
    if missing.missing_keys != ["positions"] or missing.unexpected_keys:
        sys.exit(f"{checkpoint} does not hold this encoder: missing {missing.missing_keys}, unexpected {missing.unexpected_keys}")
    drawn = VolumeEncoder(model)
    for m in drawn.modules():
        if isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    turned = [torch.rot90(volumes, k, dims=(2, 3)) for k in range(4)]
    rows = {"raw volume, 8³ cells": [nn.functional.avg_pool3d(v.permute(0, 4, 1, 2, 3), v.shape[1] // 8).reshape(scenes, -1) for v in turned]}
    for name, encoder in [("MAE encoder", pretrained.eval()), ("random encoder", drawn.eval())]:
        per_turn = [features(encoder, v) for v in turned]
        for pool in ("mean", "pooled"):
            rows[f"{name}, {pool}"] = [f[pool] for f in per_turn]

    turn_labels = torch.tensor(np.repeat(np.arange(4), scenes))
    turn_scene = np.tile(np.arange(scenes), 4)
    turn_train, turn_test = torch.tensor(training[turn_scene]), torch.tensor(held_out[turn_scene])
    folds = np.arange(scenes) % 5
    y = torch.tensor(labels)
    results = {"checkpoint": os.path.basename(checkpoint), "scenes": scenes, "classes": classes, "rows": {}}
    print(f"{'features':32s} {'turn: held out':>15s} {'train':>7s} {'category: held out':>19s} {'5-fold':>7s}")
    for name, per_turn in rows.items():
        turn = probe(torch.cat(per_turn), turn_labels, turn_train, turn_test, 4, args.seed)
        category = probe(per_turn[0], y, torch.tensor(training), torch.tensor(held_out), classes, args.seed)
        cross = np.mean([probe(per_turn[0], y, torch.tensor(folds != f), torch.tensor(folds == f), classes, args.seed)[0]
                         for f in range(5)])
        results["rows"][name] = {"turn_held_out": turn[0], "turn_train": turn[1], "category_held_out": category[0], "category_5_fold": float(cross)}
        print(f"{name:32s} {100 * turn[0]:14.1f}% {100 * turn[1]:6.1f}% {100 * category[0]:18.1f}% {100 * cross:6.1f}%", flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
