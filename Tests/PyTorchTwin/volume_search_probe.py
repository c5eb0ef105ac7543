#!/usr/bin/env python3
"""Does the pose model's own input, the 32³ volume, hold enough to find a view's pose by comparison?

The pose stage's search renders each scene's NeRF from candidate poses and keeps the render closest
to the view (`PoseSearch`); the learned regressor reads the scene only through its sampled volume.
This probe runs the same search with the volume in place of the NeRF: each scene's cached volume
(`zoo-volumes-*.safetensors`: RGB composited onto the background by opacity, and opacity α for the
step (far − near)/63) is ray-marched from the candidate poses (the training views' poses of every
training scene, thinned by farthest-point sampling as `PoseSearch.spread` does) at the search's
resolution, and each view, averaged down to it, takes the closest render's pose. It prints, per
split, the median rotation error of that choice, of the candidate nearest the truth (the floor of
any search over these candidates) and of the mean training pose, as JSON.

If the volume search lands near the NeRF search (the pose stage's `searched`), the volume carries
what a comparison needs, and a model that compares the view with the volume seen from candidate
poses could generalize to unseen scenes where one that regresses the pose from both does not.

Needs `pip install torch safetensors h5py numpy`. Usage:
    python3 Tests/PyTorchTwin/volume_search_probe.py Checkpoints/study/zoo3d/zoo.h5 \
        Checkpoints/study/zoo3d/zoo-volumes-32-*.safetensors [--train-views 20] [--candidates 128]
"""
import argparse
import json
import math

import h5py
import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load_file

parser = argparse.ArgumentParser()
parser.add_argument("zoo")
parser.add_argument("volumes")
parser.add_argument("--train-views", type=int, default=20, help="the pose stage's train_views")
parser.add_argument("--candidates", type=int, default=128)
parser.add_argument("--resolution", type=int, default=16)
parser.add_argument("--samples", type=int, default=64, help="samples per ray between near and far")
parser.add_argument("--threads", type=int, default=1)
args = parser.parse_args()
torch.set_num_threads(args.threads)

zoo = h5py.File(args.zoo, "r")
geometry = json.loads(zoo.attrs["geometry"])
near, far, background = geometry["near"], geometry["far"], geometry.get("background", 1.0)
images = zoo["views/images"]                              # [N, V, H, W, 3] uint8
poses = zoo["views/poses"][:]                             # [N, V, 4, 4] camera-to-world, OpenGL axes
fov_x = float(zoo["views/poses"].attrs["camera_angle_x"])
split = zoo["split"][:]
volumes = load_file(args.volumes)["volumes"]              # [N, z, y, x, 4]
meta_extent = None
with open(args.volumes, "rb") as f:
    header = json.loads(f.read(int.from_bytes(f.read(8), "little")))
    meta_extent = float(header["__metadata__"]["extent"])
n, v = poses.shape[:2]
assert volumes.shape[0] == n, f"{args.volumes} holds {volumes.shape[0]} volumes, the zoo {n} scenes"
train_scenes = [s for s in range(n) if split[s] == 0]
test_scenes = [s for s in range(n) if split[s] == 1]


def spread(candidates, count):
    """Farthest-point sample over rotation entries and position / mean camera distance (`PoseSearch.spread`)."""
    if len(candidates) <= count:
        return candidates
    scale = max(np.mean([np.linalg.norm(p[:3, 3]) for p in candidates]), 1e-6)
    features = np.stack([np.concatenate([p[:3, :3].reshape(-1), p[:3, 3] / scale]) for p in candidates])
    chosen = [0]
    nearest = ((features - features[0]) ** 2).sum(1)
    while len(chosen) < count:
        nxt = int(nearest.argmax())
        chosen.append(nxt)
        nearest = np.minimum(nearest, ((features - features[nxt]) ** 2).sum(1))
    return [candidates[i] for i in chosen]


candidates = np.stack(spread([poses[s, i] for s in train_scenes for i in range(args.train_views)], args.candidates))
res = args.resolution
focal = res / (2 * math.tan(fov_x / 2))
u = (torch.arange(res, dtype=torch.float32) + 0.5 - res / 2) / focal
camera_dirs = torch.stack([u.repeat(res), -u.repeat_interleave(res), -torch.ones(res * res)], 1)   # row-major pixels


def render(volume, c2w):
    """The volume ray-marched from each camera `[P, 4, 4]`: `[P, res·res, 3]`."""
    c2w = torch.as_tensor(c2w, dtype=torch.float32)
    dirs = camera_dirs @ c2w[:, :3, :3].transpose(1, 2)                     # [P, R, 3], z-depth 1
    origins = c2w[:, None, :3, 3]
    depths = torch.linspace(near, far, args.samples)
    points = origins[:, :, None, :] + dirs[:, :, None, :] * depths[None, None, :, None]   # [P, R, S, 3]
    grid = (points / meta_extent).reshape(1, -1, 1, 1, 3)                   # grid_sample wants (x, y, z)
    field = volume.permute(3, 0, 1, 2)[None]                                # [1, 4, z, y, x]
    # Outside the cube: empty space, the background colour.
    outside = torch.tensor([background, background, background, 0.0]).view(1, 4, 1, 1, 1)
    values = F.grid_sample(field - outside, grid, mode="bilinear", padding_mode="zeros", align_corners=True) + outside
    values = values.reshape(4, *points.shape[:3]).permute(1, 2, 3, 0)       # [P, R, S, 4]
    step = (far - near) / (args.samples - 1) * dirs.norm(dim=-1, keepdim=True)  # world length of a step
    alpha = 1 - (1 - values[..., 3].clamp(0, 1 - 1e-6)) ** (step / ((far - near) / 63))
    premultiplied = values[..., :3] - (1 - values[..., 3:4]) * background   # α·rgb, from α·rgb + (1 − α)·bg
    premultiplied = premultiplied * (alpha / values[..., 3].clamp_min(1e-6))[..., None]
    transmittance = torch.cumprod(torch.cat([torch.ones_like(alpha[..., :1]), 1 - alpha], -1), -1)
    colour = (transmittance[..., :-1, None] * premultiplied).sum(-2) + transmittance[..., -1:] * background
    return colour


def area_average(image):
    """`[H, W, 3]` uint8 → `[res·res, 3]` in [0, 1], block means (`LabelledImages.areaAverage` for H a multiple of res)."""
    x = torch.as_tensor(image, dtype=torch.float32).permute(2, 0, 1)[None] / 255
    return F.adaptive_avg_pool2d(x, res)[0].permute(1, 2, 0).reshape(-1, 3)


def rotation_error(a, b):
    cos = (np.trace(a[:3, :3].T @ b[:3, :3]) - 1) / 2
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


mean_rotation = np.mean([poses[s, i][:3, :3] for s in train_scenes for i in range(args.train_views)], 0)
uu, _, vt = np.linalg.svd(mean_rotation)
mean_pose = np.eye(4)
mean_pose[:3, :3] = uu @ vt
with torch.no_grad():
    results = {}
    for name, scenes, views in [("unseen_view", train_scenes, range(args.train_views, v)), ("unseen_scene", test_scenes, range(v))]:
        searched, floor, mean = [], [], []
        for s in scenes:
            renders = render(volumes[s], candidates)                         # [P, R, 3]
            for i in views:
                view = area_average(images[s, i])
                best = int(((renders - view) ** 2).sum((1, 2)).argmin())
                searched.append(rotation_error(candidates[best], poses[s, i]))
                floor.append(min(rotation_error(c, poses[s, i]) for c in candidates))
                mean.append(rotation_error(mean_pose, poses[s, i]))
        results[name] = {"views": len(searched), "volume_searched_median_deg": float(np.median(searched)),
                         "volume_searched_under_15deg": float(np.mean(np.array(searched) < 15)),
                         "nearest_candidate_median_deg": float(np.median(floor)), "mean_pose_median_deg": float(np.median(mean))}
print(json.dumps({"candidates": len(candidates), "resolution": res, "samples": args.samples, **results}, indent=1))
