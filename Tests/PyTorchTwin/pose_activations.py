#!/usr/bin/env python3
"""Where does a pose run lose the view? Loads a finished `pose` run's newest checkpoint (grid
tokenizer, one image token) and runs its model in PyTorch (the twin's modules, loaded by name) on
16 training scenes × 4 training views, printing at each stage of the image token's path how much
it varies: its mean size, its spread over all 64 views and within each scene's 4 (the views of one
scene differ only in pose). Also the share of each convolution's channels that are zero on every
view (dead ReLUs). A model whose readout barely varies predicts one pose for every view.

Needs `pip install torch safetensors h5py numpy`. Usage:
    python3 Tests/PyTorchTwin/pose_activations.py Checkpoints/study pose [more pose run folders]
"""
import glob
import json
import os
import sys

import h5py
import numpy as np
import torch
import torch.nn.functional as F
from safetensors.numpy import load_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import twin  # noqa: E402
from volume_probe import sincos_3d  # noqa: E402

root, runs = sys.argv[1], sys.argv[2:]
torch.set_num_threads(1)
zoo = h5py.File(f"{root}/zoo3d/zoo.h5", "r")
train = np.where(zoo["split"][:] == 0)[0]
volumes = torch.tensor(load_file(glob.glob(f"{root}/zoo3d/zoo-volumes-*.safetensors")[0])["volumes"])
rng = np.random.default_rng(0)
scenes = rng.choice(train, 16, replace=False)
views = [rng.permutation(20)[:4] for _ in scenes]
images = torch.tensor(np.stack([zoo["views/images"][s, v] for s, vs in zip(scenes, views) for v in vs]))
images = images.permute(0, 3, 1, 2).float() / 127.5 - 1


def spread(name, x):
    x = x.reshape(16, 4, -1)
    print(f"  {name:30s} size {x.abs().mean():.3f}  spread: all views {x.reshape(64, -1).std(0).mean():.3f}, "
          f"within a scene {x.std(1).mean():.3f}")


for run in runs:
    stage = json.load(open(f"{root}/{run}/config.json"))["stage"]
    volume = json.load(open(f"{root}/pretrain/config.json"))["stage"]["model"]
    m = dict(volume, **{k: stage["model"][k] for k in ["volume_pool", "pose_depth", "head_width"]})
    m.update(rotation_weight=1, image_size=images.shape[-1], mlp_ratio=volume.get("mlp_ratio", 4.0))
    grid, patch = int(volume["grid_size"]) // int(volume["patch_size"]), int(volume["patch_size"])
    model = twin.PoseRegressor(m, stage["model"]["image_channels"], sincos_3d(int(volume["dim"]), grid))
    checkpoint = sorted(glob.glob(f"{root}/{run}/checkpoints/*.safetensors"))[-1]
    saved = {k[len("model."):]: torch.tensor(v) for k, v in load_file(checkpoint).items() if k.startswith("model.")}
    own = model.state_dict()
    model.load_state_dict({k: saved.get(k, own[k]) for k in own})
    print(run, os.path.basename(checkpoint))
    with torch.no_grad():
        x, dead = images, []
        for conv in model.view_encoder.conv:
            x = F.relu(conv(x))
            dead.append(f"{(x.amax((0, 2, 3)) <= 0).float().mean():.2f}")
        print("  dead channels per convolution:", ", ".join(dead))
        tokens = volumes[scenes].reshape(16, grid, patch, grid, patch, grid, patch, 4)
        tokens = tokens.permute(0, 1, 3, 5, 2, 4, 6, 7).reshape(16, grid ** 3, patch ** 3 * 4)
        encoded = model.encode_scenes(tokens)
        b, t, d = encoded.shape
        image = model.view_norm(model.view_encoder(images)) + model.image_type
        spread("image token", image[:, 0])
        x = torch.cat([image, (encoded + model.volume_type)[:, None].expand(b, 4, t, d).reshape(64, t, d)], 1)
        for i, block in enumerate(model.pose_transformer.blocks):
            attention = block.attn(block.norm1(x))
            x = x + attention
            mlp = block.mlp(block.norm2(x))
            x = x + mlp
            spread(f"block {i}: attention out", attention[:, 0])
            spread(f"block {i}: MLP out", mlp[:, 0])
            spread(f"block {i}: residual stream", x[:, 0])
        readout = model.pose_transformer.norm(x)[:, 0]
        spread("after the final layer norm", readout)
        feature = F.gelu(model.head["shared"](readout))
        spread("head feature", feature)
        spread("6-D rotation code", model.head["rotation"](feature))
