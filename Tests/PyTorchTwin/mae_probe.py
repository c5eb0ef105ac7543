#!/usr/bin/env python3
"""What does the 3-D MAE need to learn more than local interpolation? One change at a time, in PyTorch.

Reads a finished `pretrain` run's zoo and cached volumes (`Checkpoints/NAME/zoo3d`), trains our MAE's
shape (MaskedAutoencoder3D with twin.py's transformer blocks and Xavier init: encoder over the visible
tokens, decoder over all tokens with a mask token, MSE on hidden tokens, AdamW with warm-up + cosine) on the zoo's training scenes and reports the
hidden-token MSE on its held-out scenes, with fixed masks, beside three baselines: empty space, the
per-position mean of the training volumes, and the nearest visible point (every hidden point copied
from the nearest point of a visible token, exact Euclidean on the grid).

Variants (flags): `--distance-bias S1,S2,..` adds −s_h·‖p_i − p_j‖ (token units) to head h's attention
scores in the decoder (and the encoder with `--bias-encoder`): each head starts with a locality prior
of its own strength (s = 0: global); `--axis-heads D` gives the decoder 6 heads whose distances are
measured from the query's token moved D spacings along ±z, ±y, ±x, so each head reads one side (needs 6
slopes); `--target residual` predicts the residual over the per-position
mean; `--depth` and `--decoder-depth` set the blocks; `--branch-scale` starts every block's attention
projection and second MLP layer at a multiple of their Xavier init; `--steps`, `--lr`, `--batch`.
README ("MAE pretraining") has what each change measured.

Needs `pip install torch safetensors h5py numpy scipy`. Usage:
    python3 Tests/PyTorchTwin/mae_probe.py Checkpoints/default/zoo3d --steps 240 [--distance-bias 1,0.25,0]
    python3 Tests/PyTorchTwin/mae_probe.py Checkpoints/default/zoo3d --steps 480 --warmup 0.0833 --decoder-depth 2 \
        --lr 2e-4 --target residual --distance-bias 4,4,4,4,4,4 --axis-heads 1      # the default's decoder
"""
import argparse
import glob
import json
import math
import os
import sys
import time

import h5py
import numpy as np
import torch
import torch.nn as nn
from safetensors.torch import load_file
from scipy.ndimage import distance_transform_edt

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from twin import Encoder  # noqa: E402
from volume_probe import sincos_3d  # noqa: E402


def patchify(volumes, patch):
    """VolumePatches.patchify: [B, Z, Y, X, C] → [B, N, P³·C], z-major tokens."""
    b, g, p = volumes.shape[0], volumes.shape[1] // patch, patch
    return volumes.reshape(b, g, p, g, p, g, p, 4).permute(0, 1, 3, 5, 2, 4, 6, 7).reshape(b, g ** 3, p ** 3 * 4)


class MAE(nn.Module):
    def __init__(self, grid, patch, dim=192, depth=12, heads=3, ddepth=8, slopes=None, bias_encoder=False, offset=None,
                 head_offsets=None):
        super().__init__()
        g = grid // patch
        self.patch_embed = nn.Linear(patch ** 3 * 4, dim)
        self.encoder = Encoder(dim, depth, heads)
        self.decoder_embed = nn.Linear(dim, dim)
        self.mask_token = nn.Parameter(torch.randn(1, 1, dim) * 0.02)
        self.register_buffer("positions", sincos_3d(dim, g))
        self.decoder_pos_embed = nn.Parameter(sincos_3d(dim, g).clone())
        self.decoder = Encoder(dim, ddepth, heads if head_offsets is None else len(head_offsets))
        self.decoder_pred = nn.Linear(dim, patch ** 3 * 4)
        self.offset = offset
        for module in self.modules():
            if isinstance(module, nn.Linear):  # as MaskedAutoencoder3D: Xavier-uniform weights, zero biases
                nn.init.xavier_uniform_(module.weight)
                nn.init.zeros_(module.bias)
        if offset is not None:
            nn.init.zeros_(self.decoder_pred.weight)
            nn.init.zeros_(self.decoder_pred.bias)
        zz, yy, xx = np.meshgrid(np.arange(g), np.arange(g), np.arange(g), indexing="ij")
        coords = torch.tensor(np.stack([zz, yy, xx], -1).reshape(-1, 3), dtype=torch.float32)
        self.register_buffer("distance", torch.cdist(coords, coords))
        if head_offsets is not None:  # head h: distance from the key to the query's point moved by o_h
            o = torch.tensor(head_offsets, dtype=torch.float32)
            self.decoder_distance = (coords[None, None, :, :] - coords[None, :, None, :] - o[:, None, None, :]).norm(dim=-1)
        else:
            self.decoder_distance = self.distance
        self.slopes = None if slopes is None else torch.tensor(slopes, dtype=torch.float32)[:, None, None]
        self.bias_encoder = bias_encoder

    def forward(self, tokens, keep, restore):
        b, n, _ = tokens.shape
        x = self.patch_embed(tokens) + self.positions
        visible = torch.gather(x, 1, keep[..., None].expand(-1, -1, x.shape[2]))
        encoder_bias = decoder_bias = None
        if self.slopes is not None:
            decoder_bias = (-self.slopes * self.decoder_distance)[None]
            if self.bias_encoder:
                d = self.distance[keep[:, :, None], keep[:, None, :]]
                encoder_bias = -self.slopes[None] * d[:, None]
        latent = self.decoder_embed(self.encoder(visible, encoder_bias))
        full = torch.cat([latent, self.mask_token.expand(b, n - keep.shape[1], -1)], dim=1)
        full = torch.gather(full, 1, restore[..., None].expand(-1, -1, full.shape[2]))
        out = self.decoder_pred(self.decoder(full + self.decoder_pos_embed, decoder_bias))
        return out if self.offset is None else out + self.offset


def draw_masks(rng, batch, n, visible):
    keep, restore = [], []
    for _ in range(batch):
        order = rng.permutation(n)
        r = np.empty(n, dtype=np.int64)
        r[order] = np.arange(n)
        keep.append(order[:visible])
        restore.append(r)
    return torch.tensor(np.array(keep)), torch.tensor(np.array(restore))


def hidden_mse(prediction, tokens, keep):
    hidden = torch.ones(tokens.shape[:2])
    hidden.scatter_(1, keep, 0.0)
    return (((prediction - tokens) ** 2).mean(-1) * hidden).sum() / hidden.sum()


def nearest_visible(volumes, keep, g, p):
    """Every point copied from the nearest point of a visible token."""
    out = []
    for v, k in zip(volumes.numpy(), keep.numpy()):
        visible = np.zeros((g, g, g), dtype=bool)
        visible.reshape(-1)[k] = True
        grid = np.kron(visible, np.ones((p, p, p), dtype=bool))
        _, index = distance_transform_edt(~grid, return_indices=True)
        out.append(v[index[0], index[1], index[2]])
    return torch.tensor(np.array(out))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("zoo_dir")
    ap.add_argument("--steps", type=int, default=240)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--lr", type=float, default=1.5e-4)
    ap.add_argument("--warmup", type=float, default=5 / 60, help="share of steps")
    ap.add_argument("--distance-bias", default=None)
    ap.add_argument("--bias-encoder", action="store_true")
    ap.add_argument("--axis-heads", type=float, default=None,
                    help="6 decoder heads, head h's bias centred one offset of this length along ±z, ±y, ±x")
    ap.add_argument("--target", choices=["plain", "residual"], default="plain")
    ap.add_argument("--eval-every", type=int, default=40)
    ap.add_argument("--depth", type=int, default=12, help="encoder blocks")
    ap.add_argument("--decoder-depth", type=int, default=8)
    ap.add_argument("--branch-scale", type=float, default=1.0,
                    help="every block's attention projection and second MLP layer start at this multiple of their init")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", default=None, help="JSON lines of the validation curve")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    zoo = glob.glob(os.path.join(a.zoo_dir, "*.h5"))[0]
    with h5py.File(zoo, "r") as f:
        split = np.array(f["split"])
    cache = sorted(glob.glob(os.path.join(a.zoo_dir, "*-volumes-32-*.safetensors")))[0]
    volumes = load_file(cache)["volumes"]
    train, test = volumes[split == 0], volumes[split == 1]
    g, p = 8, 4
    n, visible = g ** 3, int(g ** 3 * 0.2)
    slopes = None if a.distance_bias is None else [float(s) for s in a.distance_bias.split(",")]
    train_tokens, test_tokens = patchify(train, p), patchify(test, p)
    mean = train_tokens.mean(0, keepdim=True)
    head_offsets = None
    if a.axis_heads is not None:
        head_offsets = [[sign * a.axis_heads * (axis == k) for k in range(3)] for axis in range(3) for sign in (1, -1)]
    model = MAE(32, p, depth=a.depth, ddepth=a.decoder_depth, slopes=slopes, bias_encoder=a.bias_encoder,
                offset=mean if a.target == "residual" else None, head_offsets=head_offsets)
    with torch.no_grad():
        for name, q in model.named_parameters():
            if name.endswith("attn.proj.weight") or name.endswith("fc2.weight"):
                q.mul_(a.branch_scale)
    rng = np.random.default_rng(20240617)
    val_keep, val_restore = draw_masks(rng, test.shape[0], n, visible)
    filled = patchify(nearest_visible(test, val_keep, g, p), p)
    empty = torch.tensor([1.0, 1.0, 1.0, 0.0]).repeat(p ** 3)[None, None]
    baselines = {"empty": hidden_mse(empty.expand_as(test_tokens), test_tokens, val_keep).item(),
                 "position_mean": hidden_mse(mean.expand_as(test_tokens), test_tokens, val_keep).item(),
                 "nearest_visible_point": hidden_mse(filled, test_tokens, val_keep).item()}
    print(json.dumps({"train_scenes": train.shape[0], "test_scenes": test.shape[0], **baselines}), flush=True)
    decay = [q for name, q in model.named_parameters() if q.ndim >= 2 and "pos_embed" not in name and "mask_token" not in name]
    rest = [q for name, q in model.named_parameters() if not (q.ndim >= 2 and "pos_embed" not in name and "mask_token" not in name)]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": rest, "weight_decay": 0}],
                                  lr=a.lr, betas=(0.9, 0.95))
    warm = max(1, int(a.warmup * a.steps))
    schedule = lambda s: (s + 1) / warm if s < warm else 0.5 * (1 + math.cos(math.pi * (s - warm) / max(1, a.steps - warm)))
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    train_rng = np.random.default_rng(a.seed)
    out = open(a.out, "w") if a.out else None
    start = time.time()
    for step in range(1, a.steps + 1):
        rows = train_rng.choice(train.shape[0], a.batch, replace=False)
        keep, restore = draw_masks(train_rng, a.batch, n, visible)
        tokens = train_tokens[rows]
        loss = hidden_mse(model(tokens, keep, restore), tokens, keep)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        if step % a.eval_every == 0 or step == a.steps:
            with torch.no_grad():
                val = hidden_mse(model(test_tokens, val_keep, val_restore), test_tokens, val_keep).item()
            line = {"step": step, "train_loss": loss.item(), "validation": val,
                    "vs_position_mean": baselines["position_mean"] / val, "seconds": round(time.time() - start, 1)}
            print(json.dumps(line), flush=True)
            if out:
                out.write(json.dumps(line) + "\n")
                out.flush()


if __name__ == "__main__":
    main()
