#!/usr/bin/env python3
"""Turns rendered object scenes into scenes that look like a real capture, for fitting tests.

    python3 Tests/PyTorchTwin/backdrop_scenes.py SOURCE_SCENES OUT_SCENES [--crop 64]

SOURCE_SCENES holds NeRF-synthetic scene folders with RGBA views (as `pipeline run zoo3d` renders
them under its run folder's `scenes/`). Each view is cut to its central CROP×CROP pixels (the
field of view narrows to match, so a framed object fills the view and the frame cuts it), then
every pixel the object leaves uncovered gets what a camera would see there: a checkered floor at
z = −0.75 (the bottom of the objects' box), which lies partly inside and partly beyond the
fitter's far bound, and above the horizon a sky that depends on the ray's direction only. The
views are written opaque, so no pixel is white background any more.
"""
import argparse
import json
import math
import os

import numpy as np
from PIL import Image

FLOOR_Z = -0.75


def backdrop(origin, directions):
    """Colour seen along rays `directions [N, 3]` from `origin` without the object."""
    d = directions / np.linalg.norm(directions, axis=1, keepdims=True)
    down = d[:, 2] < -1e-3
    t = np.where(down, (FLOOR_Z - origin[2]) / np.where(down, d[:, 2], -1), np.inf)
    hit = origin[None, :] + d * np.where(np.isfinite(t), t, 0)[:, None]
    checker = ((np.floor(hit[:, 0] / 0.5) + np.floor(hit[:, 1] / 0.5)) % 2)[:, None]
    fade = np.exp(-np.where(np.isfinite(t), t, 0) / 12)[:, None]
    floor = (np.array([0.55, 0.42, 0.30]) * (0.6 + 0.4 * checker)) * fade + np.array([0.75, 0.78, 0.82]) * (1 - fade)
    azimuth = np.arctan2(d[:, 1], d[:, 0])[:, None]
    elevation = np.clip(d[:, 2], 0, 1)[:, None]
    sky = np.array([0.75, 0.78, 0.82]) * (1 - elevation) + np.array([0.35, 0.55, 0.85]) * elevation
    sky = sky + 0.08 * np.sin(3 * azimuth) * (1 - elevation)
    return np.where(down[:, None], floor, sky).clip(0, 1)


def convert(source, out, crop):
    for split in ["train", "test"]:
        meta = json.load(open(os.path.join(source, f"transforms_{split}.json")))
        os.makedirs(os.path.join(out, split), exist_ok=True)
        angle = meta["camera_angle_x"]
        for frame in meta["frames"]:
            path = frame["file_path"][2:] if frame["file_path"].startswith("./") else frame["file_path"]
            rgba = np.asarray(Image.open(os.path.join(source, path + ".png")).convert("RGBA"), dtype=np.float64) / 255
            size = rgba.shape[1]
            focal = size / (2 * math.tan(angle / 2))
            c = (size - crop) // 2
            rgba = rgba[c:c + crop, c:c + crop]
            pose = np.asarray(frame["transform_matrix"], dtype=np.float64)
            j, i = np.meshgrid(np.arange(crop) + 0.5, np.arange(crop) + 0.5, indexing="ij")
            local = np.stack([(i - crop / 2) / focal, -(j - crop / 2) / focal, -np.ones_like(i)], -1).reshape(-1, 3)
            back = backdrop(pose[:3, 3], local @ pose[:3, :3].T).reshape(crop, crop, 3)
            a = rgba[..., 3:4]
            rgb = rgba[..., :3] * a + back * (1 - a)
            Image.fromarray((rgb * 255).round().astype(np.uint8), "RGB").convert("RGBA").save(os.path.join(out, path + ".png"))
        meta["camera_angle_x"] = 2 * math.atan(math.tan(angle / 2) * crop / size)
        json.dump(meta, open(os.path.join(out, f"transforms_{split}.json"), "w"), indent=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source")
    parser.add_argument("out")
    parser.add_argument("--crop", type=int, default=64)
    args = parser.parse_args()
    for name in sorted(os.listdir(args.source)):
        if os.path.exists(os.path.join(args.source, name, "transforms_train.json")):
            convert(os.path.join(args.source, name), os.path.join(args.out, name), args.crop)


if __name__ == "__main__":
    main()
