#!/usr/bin/env python3
"""Can the pose model's object-frame head learn a scene's quarter turn from the MAE's features?

Reads a finished `pretrain` run and its zoo (`Checkpoints/NAME/{zoo3d,pretrain}`), encodes every
scene in its four quarter turns about the vertical axis with the newest pretraining checkpoint
(frozen), standardises the pooled, flattened tokens as `PoseRegressor.objectFrameStandardization`
does, and trains the head's MLP (256 hidden, AdamW 1e-3, 400 steps of 4 training scenes in random
turns) two ways: cross-entropy over the four turns (the pose stage's head since 2026-12-05), and
the first head's way, a 6-D code through Gram-Schmidt with L1 to the turn's matrix (scored as the
nearest of the four turns). Prints the turn accuracy on the training and the held-out scenes
(chance 25%); README ("object_frame") has what it measured.

A third head, `canonical`, scores each of the four ways to turn the scene back (one scalar from
the same MLP for each un-turned copy): one detector of "the catalogue's orientation" shared by the
four turns, in place of four. Options: --heads (any of ce, l1_6d, canonical), --steps, --batch
(scenes a step), --seeds (head seeds; mean ± std), --pool 2 (average the 4³ pooled tokens once
more, to 2³), --random (a randomly drawn encoder in place of the checkpoint).

Needs `pip install torch safetensors h5py numpy`. Usage:
    python3 Tests/PyTorchTwin/frame_head_probe.py Checkpoints/default
    python3 Tests/PyTorchTwin/frame_head_probe.py Checkpoints/study --heads ce,canonical --steps 1000 --batch 16 --seeds 3
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
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from volume_probe import VolumeEncoder, features
from twin import rotation_from_6d
from safetensors.numpy import load_file
parser = argparse.ArgumentParser()
parser.add_argument("run")
parser.add_argument("--heads", default="ce,l1_6d")
parser.add_argument("--steps", type=int, default=400)
parser.add_argument("--batch", type=int, default=4)
parser.add_argument("--seeds", type=int, default=1)
parser.add_argument("--pool", type=int, default=1, choices=[1, 2])
parser.add_argument("--random", action="store_true")
args = parser.parse_args()
run = args.run
torch.manual_seed(0); torch.set_num_threads(2)
model = json.load(open(f"{run}/pretrain/config.json"))["stage"]["model"]
volumes = torch.tensor(load_file(glob.glob(f"{run}/zoo3d/zoo-volumes-*.safetensors")[0])["volumes"])
split = h5py.File(f"{run}/zoo3d/zoo.h5", "r")["split"][:]
enc = VolumeEncoder(model)
if not args.random:
    ck = sorted(glob.glob(f"{run}/pretrain/checkpoints/*.safetensors"))[-1]
    state = {k[len("model."):]: torch.tensor(v) for k, v in load_file(ck).items() if k.startswith("model.")}
    missing = [k for k in enc.state_dict() if k != "positions" and k not in state]
    if missing:  # until 2026-12-05 the "model." prefix was not stripped, nothing loaded, and the encoder stayed random
        sys.exit(f"{ck} lacks the encoder's {missing[:3]}")
    enc.load_state_dict({k: state[k] for k in enc.state_dict() if k in state}, strict=False)
X = torch.stack([features(enc, torch.rot90(volumes, k, dims=(2, 3)))["pooled"] for k in range(4)], 1)
if args.pool == 2:  # the 4³ grid of pooled tokens (z-major) averaged over 2³ neighbours: 2³ tokens
    d = enc.positions.shape[1]
    X = X.reshape(X.shape[0], 4, 2, 2, 2, 2, 2, 2, d).mean((3, 5, 7)).reshape(X.shape[0], 4, -1)
train = np.where(split == 0)[0]; test = np.where(split == 1)[0]
m, s = X[train].reshape(-1, X.shape[2]).mean(0), X[train].reshape(-1, X.shape[2]).std(0) + 1e-3
X = (X - m) / s
T = torch.tensor([[[math.cos(k * math.pi / 2), -math.sin(k * math.pi / 2), 0], [math.sin(k * math.pi / 2), math.cos(k * math.pi / 2), 0], [0, 0, 1]] for k in range(4)], dtype=torch.float32)
for loss_kind in args.heads.split(","):
    results = []
    for seed in range(args.seeds):
        torch.manual_seed(seed)
        outputs = {"ce": 4, "l1_6d": 6, "canonical": 1}[loss_kind]
        head = nn.Sequential(nn.Linear(X.shape[2], 256), nn.GELU(), nn.Linear(256, outputs))
        if loss_kind == "l1_6d":
            with torch.no_grad():
                head[2].weight.mul_(0.1); head[2].bias.copy_(torch.tensor([1., 0, 0, 0, 1, 0]))
        opt = torch.optim.AdamW(head.parameters(), 1e-3, weight_decay=0.05)
        rng = np.random.default_rng(seed)

        def turn_scores(scenes, k):
            """[B, 4] scores of the turns of scenes turned by k (ce, canonical); l1_6d: the 6-D code."""
            if loss_kind != "canonical":
                return head(X[scenes, k])
            # candidate j: the scene turned back by j; the truth (j = k) is the scene as catalogued
            return head(torch.stack([X[scenes, (k - j) % 4] for j in range(4)], 1)).squeeze(-1)

        for step in range(args.steps):
            sc = torch.tensor(rng.choice(train, args.batch, replace=False)); k = torch.tensor(rng.integers(0, 4, args.batch))
            out = turn_scores(sc, k)
            loss = (rotation_from_6d(out) - T[k]).abs().mean() if loss_kind == "l1_6d" else nn.functional.cross_entropy(out, k)
            opt.zero_grad(); loss.backward(); opt.step()
        with torch.no_grad():
            def acc(idx):
                idx = torch.tensor(idx); right = 0
                for k in range(4):
                    out = turn_scores(idx, torch.full((len(idx),), k))
                    if loss_kind == "l1_6d":  # nearest turn to the predicted rotation
                        R = rotation_from_6d(out)
                        pred = torch.stack([(R - T[j]).abs().sum((1, 2)) for j in range(4)], 1).argmin(1)
                    else:
                        pred = out.argmax(-1)
                    right += (pred == k).sum().item()
                return right / (4 * len(idx))
            results.append((acc(train), acc(test)))
    r = np.array(results)
    print(loss_kind, "train", round(r[:, 0].mean(), 3), "held out", round(r[:, 1].mean(), 3), "± %.3f" % r[:, 1].std(),
          "(seeds: %s)" % ", ".join("%.3f" % v for v in r[:, 1]), "last loss", round(loss.item(), 3))
