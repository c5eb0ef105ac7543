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

Needs `pip install torch safetensors h5py numpy`. Usage:
    python3 Tests/PyTorchTwin/frame_head_probe.py Checkpoints/default
"""
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
run = sys.argv[1]
torch.manual_seed(0); torch.set_num_threads(2)
model = json.load(open(f"{run}/pretrain/config.json"))["stage"]["model"]
volumes = torch.tensor(load_file(glob.glob(f"{run}/zoo3d/zoo-volumes-*.safetensors")[0])["volumes"])
split = h5py.File(f"{run}/zoo3d/zoo.h5", "r")["split"][:]
enc = VolumeEncoder(model)
ck = sorted(glob.glob(f"{run}/pretrain/checkpoints/*.safetensors"))[-1]
state = {k: torch.tensor(v) for k, v in load_file(ck).items()}
enc.load_state_dict({k: state[k] for k in enc.state_dict() if k in state}, strict=False)
X = torch.stack([features(enc, torch.rot90(volumes, k, dims=(2, 3)))["pooled"] for k in range(4)], 1)
train = np.where(split == 0)[0]; test = np.where(split == 1)[0]
m, s = X[train].reshape(-1, X.shape[2]).mean(0), X[train].reshape(-1, X.shape[2]).std(0) + 1e-3
X = (X - m) / s
T = torch.tensor([[[math.cos(k * math.pi / 2), -math.sin(k * math.pi / 2), 0], [math.sin(k * math.pi / 2), math.cos(k * math.pi / 2), 0], [0, 0, 1]] for k in range(4)], dtype=torch.float32)
for loss_kind in ["ce", "l1_6d"]:
    torch.manual_seed(0)
    head = nn.Sequential(nn.Linear(X.shape[2], 256), nn.GELU(), nn.Linear(256, 4 if loss_kind == "ce" else 6))
    if loss_kind == "l1_6d":
        with torch.no_grad():
            head[2].weight.mul_(0.1); head[2].bias.copy_(torch.tensor([1., 0, 0, 0, 1, 0]))
    opt = torch.optim.AdamW(head.parameters(), 1e-3, weight_decay=0.05)
    rng = np.random.default_rng(0)
    for step in range(400):
        sc = rng.choice(train, 4, replace=False); k = torch.tensor(rng.integers(0, 4, 4))
        out = head(X[sc, k])
        loss = nn.functional.cross_entropy(out, k) if loss_kind == "ce" else (rotation_from_6d(out) - T[k]).abs().mean()
        opt.zero_grad(); loss.backward(); opt.step()
    with torch.no_grad():
        def acc(idx):
            out = head(X[idx].reshape(-1, X.shape[2]))
            if loss_kind == "ce":
                pred = out.argmax(-1)
            else:  # nearest turn to the predicted rotation
                R = rotation_from_6d(out)
                pred = torch.stack([(R - T[j]).abs().sum((1, 2)) for j in range(4)], 1).argmin(1)
            return (pred == torch.arange(4).repeat(len(idx))).float().mean().item()
        print(loss_kind, "train", round(acc(train), 3), "held out", round(acc(test), 3), "last loss", round(loss.item(), 3))
