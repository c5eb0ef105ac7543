#!/usr/bin/env python3
"""A PyTorch twin of our NeRF fitter, and a plain NeRF to measure it against.

    python3 Tests/PyTorchTwin/nerf_fit.py SCENE_FOLDER [--mode ours|plain] [--steps 800 3000] [overrides]

SCENE_FOLDER is a NeRF-synthetic scene (transforms_train.json / transforms_test.json and RGBA
PNGs), as `pipeline run zoo3d` writes under its run folder's `scenes/`. Held-out PSNR over whole
views (composited on white, colours clamped) is printed as JSON after each listed step.

`--mode ours` computes what `NeRFFitter` does with the default pipeline's settings: the Implicit-Zoo
MLP (γ(x·0.1) with 10 frequencies, γ(d) with 4; 4×64 trunk, view branch 32), 512 rays a step drawn
uniformly (`--adaptive 1`: 11× more often from non-white pixels, the paper's sampler, what it did
before issue 8), 32 stratified samples between near 2 and far 6, density
noise of std 1, Adam 5e-4, restarts when the fit collapses; for views of an object composited on
white, a last segment of one bin and constant noise (what it always did), for opaque views (a
photo), an endless last segment and noise that fades to zero at half the steps.
`--mode plain` is nerf-pytorch's single network at the same size and settings: γ(x) unscaled,
rays drawn uniformly, no density noise, an endless last segment. Each difference is a flag of
its own, so every one can be switched alone (e.g. `--mode plain --position-scale 0.1`).
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image


def load_split(folder, split):
    meta = json.load(open(os.path.join(folder, f"transforms_{split}.json")))
    colors, alphas, poses = [], [], []
    for frame in meta["frames"]:
        path = frame["file_path"]
        path = path[2:] if path.startswith("./") else path
        if not path.lower().endswith(".png"):
            path += ".png"
        rgba = np.asarray(Image.open(os.path.join(folder, path)).convert("RGBA"), dtype=np.float32) / 255
        a = rgba[..., 3:4]
        colors.append(rgba[..., :3] * a + (1 - a))
        alphas.append(a[..., 0])
        poses.append(np.asarray(frame["transform_matrix"], dtype=np.float32))
    h, w = colors[0].shape[:2]
    focal = w / (2 * math.tan(meta["camera_angle_x"] / 2))
    return np.stack(colors), np.stack(alphas), np.stack(poses), h, w, focal


def rays(poses, h, w, focal):
    """Origins and (z-depth) directions through every pixel centre, row-major, as our PinholeCamera."""
    j, i = np.meshgrid(np.arange(h, dtype=np.float32) + 0.5, np.arange(w, dtype=np.float32) + 0.5, indexing="ij")
    d = np.stack([(i - w / 2) / focal, -(j - h / 2) / focal, -np.ones_like(i)], -1).reshape(-1, 3)
    dirs = np.einsum("vab,nb->vna", poses[:, :3, :3], d).reshape(-1, 3)
    origins = np.repeat(poses[:, :3, 3], h * w, axis=0)
    return torch.from_numpy(origins), torch.from_numpy(dirs)


def encode(x, frequencies, scale):
    """[x', sin(2^0 x'), cos(2^0 x'), ...] with x' = x·scale, as our PositionalEncoding."""
    x = x * scale
    out = [x]
    for k in range(frequencies):
        out += [torch.sin(x * 2.0 ** k), torch.cos(x * 2.0 ** k)]
    return torch.cat(out, -1)


class NeRF(nn.Module):
    def __init__(self, width, depth, view_width, pf, df, scale):
        super().__init__()
        self.pf, self.df, self.scale = pf, df, scale
        pin, din = 3 + 6 * pf, 3 + 6 * df
        self.trunk = nn.ModuleList([nn.Linear(pin if i == 0 else width, width) for i in range(depth)])
        self.alpha, self.feature = nn.Linear(width, 1), nn.Linear(width, width)
        self.view, self.rgb = nn.Linear(width + din, view_width), nn.Linear(view_width, 3)

    def forward(self, points, dirs):
        h = encode(points, self.pf, self.scale)
        for layer in self.trunk:
            h = F.relu(layer(h))
        features = torch.cat([self.feature(h), encode(dirs, self.df, 1.0)], -1)
        return self.rgb(F.relu(self.view(features))), self.alpha(h)[..., 0]


def render(model, origins, dirs, depths, last, noise, generator):
    r, s = depths.shape
    points = origins[:, None] + dirs[:, None] * depths[..., None]
    length = dirs.norm(dim=-1, keepdim=True)
    unit = (dirs / length)[:, None].expand(r, s, 3)
    rgb, sigma = model(points.reshape(-1, 3), unit.reshape(-1, 3))
    rgb, sigma = torch.sigmoid(rgb.reshape(r, s, 3)), sigma.reshape(r, s)
    if noise > 0:
        sigma = sigma + torch.randn(sigma.shape, generator=generator) * noise
    deltas = torch.cat([depths[:, 1:] - depths[:, :-1], torch.full((r, 1), last)], -1) * length
    alpha = 1 - torch.exp(-F.relu(sigma) * deltas)
    transmittance = torch.cumprod(torch.cat([torch.ones(r, 1), 1 - alpha + 1e-10], -1), -1)[:, :-1]
    weights = alpha * transmittance
    acc = weights.sum(-1)
    return (weights[..., None] * rgb).sum(1) + (1 - acc[:, None]), acc


def evaluate(model, test, args):
    colors, _, poses, h, w, focal = test
    o, d = rays(poses, h, w, focal)
    step = (args.far - args.near) / args.samples
    depths = (args.near + (torch.arange(args.samples) + 0.5) * step).expand(o.shape[0], args.samples)
    with torch.no_grad():
        out = torch.cat([render(model, o[i:i + 4096], d[i:i + 4096], depths[i:i + 4096], last_delta(args), 0, None)[0]
                         for i in range(0, o.shape[0], 4096)])
    mse = ((out.clamp(0, 1) - torch.from_numpy(colors.reshape(-1, 3))) ** 2).mean().item()
    return -10 * math.log10(max(mse, 1e-12))


def last_delta(args):
    return (args.far - args.near) / args.samples if args.last == "bin" else 1e10


def fit(train, test, args):
    colors, alphas, poses, h, w, focal = train
    o, d = rays(poses, h, w, focal)
    target = torch.from_numpy(colors.reshape(-1, 3))
    alpha = torch.from_numpy(alphas.reshape(-1))
    if args.adaptive:
        weights = torch.ceil(1 - target.mean(-1)) + 0.1
    else:
        weights = torch.ones(target.shape[0])
    step_width = (args.far - args.near) / args.samples
    report = []
    for attempt in range(4):
        torch.manual_seed(args.seed + attempt)
        generator = torch.Generator().manual_seed(args.seed + 1000 + attempt)
        model = NeRF(args.width, args.depth, args.view_width, args.position_frequencies, args.direction_frequencies,
                     args.position_scale)
        optimizer = torch.optim.Adam(model.parameters(), lr=args.learning_rate)
        collapsed, report = False, []
        for step in range(max(args.steps)):
            pick = torch.multinomial(weights, args.rays, replacement=True, generator=generator)
            depths = args.near + (torch.arange(args.samples) + torch.rand(args.rays, args.samples, generator=generator)) * step_width
            noise = args.density_noise
            if args.noise_fade > 0:
                noise *= max(0.0, 1 - step / (args.noise_fade * max(args.steps)))
            color, acc = render(model, o[pick], d[pick], depths, last_delta(args), noise, generator)
            loss = ((color - target[pick]) ** 2).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if step + 1 == 250 and attempt < 3:
                on_object = alpha[pick] > 0.5
                opacity = acc[on_object].mean().item() if on_object.any() else 1.0
                if opacity < 0.05:
                    collapsed = True
                    break
            if step + 1 in args.steps:
                report.append({"step": step + 1, "held_out_psnr": round(evaluate(model, test, args), 3)})
        if not collapsed:
            return report, attempt
    return report, 3


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scene")
    parser.add_argument("--mode", choices=["ours", "plain"], default="ours")
    parser.add_argument("--steps", type=int, nargs="+", default=[800])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--depth", type=int, default=4)
    parser.add_argument("--view-width", type=int, default=32)
    parser.add_argument("--position-frequencies", type=int, default=10)
    parser.add_argument("--direction-frequencies", type=int, default=4)
    parser.add_argument("--rays", type=int, default=512)
    parser.add_argument("--samples", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=5e-4)
    parser.add_argument("--near", type=float, default=2)
    parser.add_argument("--far", type=float, default=6)
    parser.add_argument("--position-scale", type=float)
    parser.add_argument("--density-noise", type=float)
    parser.add_argument("--noise-fade", type=float, help="share of the steps over which the noise fades to 0 (0: never)")
    parser.add_argument("--adaptive", type=int, choices=[0, 1])
    parser.add_argument("--last", choices=["bin", "infinite"])
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    ours = args.mode == "ours"
    torch.set_num_threads(args.threads)
    train, test = load_split(args.scene, "train"), load_split(args.scene, "test")
    opaque = bool((train[1] >= 1).all())
    defaults = {"position_scale": 0.1 if ours else 1.0, "density_noise": 1.0 if ours else 0.0,
                "noise_fade": (0.5 if opaque else 0.0) if ours else 0.0, "adaptive": 0,
                "last": "infinite" if opaque or not ours else "bin"}
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    report, restarts = fit(train, test, args)
    print(json.dumps({"scene": os.path.basename(os.path.normpath(args.scene)), "mode": args.mode,
                      "position_scale": args.position_scale, "density_noise": args.density_noise, "noise_fade": args.noise_fade, "adaptive": args.adaptive,
                      "last": args.last, "restarts": restarts, "results": report}))


if __name__ == "__main__":
    sys.exit(main())
