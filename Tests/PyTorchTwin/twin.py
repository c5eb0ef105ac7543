#!/usr/bin/env python3
"""A PyTorch twin of `pipeline`'s MAE pretraining and pose regression.

`pipeline twin pretrain|pose --out DIR` dumps the initial weights, every step's batch (tokens,
masks, images, targets; for an anchored pose head the anchors nearest the truth, their target
weights under `model.anchor_target_spread` and the comparison priors), its losses, the first
step's gradients and the optimizer's groups and schedule. This script builds the same models in PyTorch (same parameter names), loads the weights,
replays the batches with torch.optim.AdamW and the same warm-up + cosine schedule, and compares:

  - the first loss, within 1e-5 relative;
  - every parameter's first gradient, max |ours - twin| / max |twin| within 1e-4;
  - the loss of every step, within 1% relative.

Needs `pip install torch safetensors`. Usage: python3 Tests/PyTorchTwin/twin.py DIR [--gradients]
(`--gradients` prints every parameter's first-gradient difference).
"""
import json
import math
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file

torch.set_default_dtype(torch.float32)


class Attention(nn.Module):
    """Packed q|k|v projection, heads laid out consecutively in each of q, k, v."""

    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x, bias=None):
        b, t, d = x.shape
        q, k, v = self.qkv(x).reshape(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        scores = q @ k.transpose(-2, -1) / math.sqrt(d // self.heads)
        a = torch.softmax(scores if bias is None else scores + bias, dim=-1)
        return self.proj((a @ v).transpose(1, 2).reshape(b, t, d))


class MLP(nn.Module):
    def __init__(self, dim, hidden, out=None, out_bias=True):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, out or dim, bias=out_bias)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class Block(nn.Module):
    """Pre-norm: x + attn(LN(x)), then x + MLP(LN(x)); layer norms with eps 1e-6."""

    def __init__(self, dim, heads, mlp_ratio):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = MLP(dim, int(dim * mlp_ratio))

    def forward(self, x, bias=None):
        x = x + self.attn(self.norm1(x), bias)
        return x + self.mlp(self.norm2(x))


class Encoder(nn.Module):
    """Blocks, then a final layer norm."""

    def __init__(self, dim, depth, heads, mlp_ratio=4.0):
        super().__init__()
        self.blocks = nn.ModuleList([Block(dim, heads, mlp_ratio) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)

    def forward(self, x, bias=None):
        for block in self.blocks:
            x = block(x, bias)
        return self.norm(x)


class MAE3D(nn.Module):
    def __init__(self, m, positions, output_offset=None, decoder_bias=None):
        super().__init__()
        self.output_offset = output_offset
        self.decoder_bias = decoder_bias
        token_width = int(m["patch_size"]) ** 3 * 4
        dim, ddim, n = int(m["dim"]), int(m["decoder_dim"]), positions.shape[0]
        self.patch_embed = nn.Linear(token_width, dim)
        self.encoder = Encoder(dim, int(m["depth"]), int(m["heads"]), m["mlp_ratio"])
        self.decoder_embed = nn.Linear(dim, ddim)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, ddim))
        self.decoder_pos_embed = nn.Parameter(torch.zeros(n, ddim))
        self.decoder = Encoder(ddim, int(m["decoder_depth"]), int(m["decoder_heads"]), m["mlp_ratio"])
        self.decoder_pred = nn.Linear(ddim, token_width)
        self.register_buffer("positions", positions)

    def loss(self, tokens, keep, restore):
        b, n, _ = tokens.shape
        x = self.patch_embed(tokens) + self.positions
        visible = torch.gather(x, 1, keep[..., None].expand(-1, -1, x.shape[2]))
        latent = self.decoder_embed(self.encoder(visible))
        full = torch.cat([latent, self.mask_token.expand(b, n - keep.shape[1], -1)], dim=1)
        full = torch.gather(full, 1, restore[..., None].expand(-1, -1, full.shape[2]))
        prediction = self.decoder_pred(self.decoder(full + self.decoder_pos_embed, self.decoder_bias))
        if self.output_offset is not None:
            prediction = prediction + self.output_offset
        hidden = torch.ones(b, n)
        hidden.scatter_(1, keep, 0.0)
        per_token = ((prediction - tokens) ** 2).mean(dim=-1)
        return (per_token * hidden).sum() / hidden.sum().clamp(min=1)


def sincos_2d(dim, grid):
    """Our SinCosEmbedding.twoDimensional: half the channels for the row, half for the column."""
    omega = 1.0 / 10000 ** (torch.arange(dim // 4, dtype=torch.float64) / (dim / 4.0))
    pos = torch.arange(grid, dtype=torch.float64)[:, None] * omega[None]
    axis = torch.cat([torch.sin(pos), torch.cos(pos)], dim=1)
    rows = axis[:, None, :].expand(grid, grid, dim // 2)
    cols = axis[None, :, :].expand(grid, grid, dim // 2)
    return torch.cat([rows, cols], dim=2).reshape(grid * grid, dim).float()


class ViewEncoder(nn.Module):
    """3x3 stride-2 convolutions with ReLU, then a linear map of the flattened feature map (one
    token), or of each cell of the map plus its 2-D sin-cos position (patch tokens)."""

    def __init__(self, image_size, channels, dim, patch_tokens):
        super().__init__()
        layers, size, c_in = [], image_size, 3
        for c in channels:
            layers.append(nn.Conv2d(c_in, c, 3, stride=2, padding=1))
            size, c_in = (size + 2 - 3) // 2 + 1, c
        self.conv = nn.ModuleList(layers)
        self.patch_tokens = patch_tokens
        self.proj = nn.Linear(c_in if patch_tokens else c_in * size * size, dim)
        self.register_buffer("positions", sincos_2d(dim, size) if patch_tokens else torch.zeros(0))
        self.token_count = size * size if patch_tokens else 1

    def forward(self, images):
        x = images
        for conv in self.conv:
            x = F.relu(conv(x))
        if self.patch_tokens:
            return self.proj(x.flatten(2).transpose(1, 2)) + self.positions
        return self.proj(x.flatten(1))[:, None, :]


def rotation_from_6d(x):
    def normalize(v):
        return v / torch.sqrt((v * v).sum(dim=1, keepdim=True) + 1e-12)

    a1, a2 = x[:, 0:3], x[:, 3:6]
    b1 = normalize(a1)
    b2 = normalize(a2 - b1 * (b1 * a2).sum(dim=1, keepdim=True))
    return torch.stack([b1, b2, torch.cross(b1, b2, dim=1)], dim=1)


def pool(h, side, p):
    """PoseRegressor.pool: tokens [B, side³, dim] of a z-major grid averaged over p³ neighbours."""
    if p == 1:
        return h
    b, d, q = h.shape[0], h.shape[2], side // p
    return h.reshape(b, q, p, q, p, q, p, d).permute(0, 1, 3, 5, 2, 4, 6, 7).reshape(b, q * q * q, p * p * p, d).mean(dim=2)


class PoseHead(nn.Module):
    """PoseRegressor's heads: a shared MLP, then a 6-D rotation and a translation (one of each per
    anchor with anchors), the anchor scores and the comparison's learned weight."""

    def __init__(self, dim, width, anchors, comparison):
        super().__init__()
        k = max(anchors, 1)
        self.shared = MLP(dim, width, width)
        self.rotation, self.translation = nn.Linear(width, 6 * k), nn.Linear(width, 3 * k)
        self.anchor = nn.Linear(width, anchors) if anchors else None
        self.anchor_comparison_weight = nn.Parameter(torch.zeros(1)) if comparison else None


class PoseRegressor(nn.Module):
    def __init__(self, m, channels, positions, frame_mean=None, frame_scale=None, anchors=None):
        super().__init__()
        dim = int(m["dim"])
        token_width = int(m["patch_size"]) ** 3 * 4
        self.grid = int(m["grid_size"]) // int(m["patch_size"])
        self.pool = int(m["volume_pool"])
        self.rotation_weight = m["rotation_weight"]
        self.patch_embed = nn.Linear(token_width, dim)
        self.encoder = Encoder(dim, int(m["depth"]), int(m["heads"]), m["mlp_ratio"])
        patch_tokens = bool(m.get("patch_tokens", 0))
        self.view_encoder = ViewEncoder(int(m["image_size"]), channels, dim, patch_tokens)
        self.view_norm = nn.LayerNorm(dim, eps=1e-6)
        if m.get("volume_summary", 0):
            pooled = (self.grid // self.pool) ** 3
            self.volume_summary = nn.ModuleDict({"proj": nn.Linear(pooled * dim, dim), "norm": nn.LayerNorm(dim, eps=1e-6)})
        else:
            self.volume_summary = None
        self.volume_type = nn.Parameter(torch.zeros(1, 1, dim))
        self.image_type = nn.Parameter(torch.zeros(1, 1, dim))
        self.pose_query = nn.Parameter(torch.zeros(1, 1, dim)) if patch_tokens else None
        self.pose_transformer = Encoder(dim, int(m["pose_depth"]), int(m["heads"]))
        width = int(m["head_width"])
        self.head = PoseHead(dim, width, int(m.get("rotation_anchors", 0)), bool(m.get("anchor_comparison", 0)))
        self.register_buffer("positions", positions)
        self.anchors = anchors  # [K, 3, 3] row-major, or None
        if m.get("object_frame", 0):
            self.frame_pool, self.frame_canonical = int(m.get("object_frame_pool", 1)), bool(m.get("object_frame_canonical", 0))
            self.object_frame = MLP((self.grid // self.pool // self.frame_pool) ** 3 * dim, width, 1 if self.frame_canonical else 4,
                                    out_bias=not self.frame_canonical)
            self.translation_offset = torch.tensor([m["translation_offset_x"], m["translation_offset_y"], m["translation_offset_z"]],
                                                   dtype=torch.float32)
            self.translation_scale = m["translation_scale"]
            self.frame_mean, self.frame_scale = frame_mean, frame_scale
            self.aligned_volume = bool(m.get("aligned_volume", 0))
            frame_width = (self.grid // self.pool // self.frame_pool) ** 3 * dim
            view_width = self.view_encoder.token_count * dim
            self.quarter_head = MLP(view_width + 9 + frame_width, width, 1, out_bias=False) if m.get("quarter_head", 0) else None
        else:
            self.object_frame = None

    def encode_scenes(self, tokens):
        return pool(self.encoder(self.patch_embed(tokens) + self.positions), self.grid, self.pool)

    def loss(self, tokens, images, rotations, translations, scene_turns=None, frame_scenes=None, nearest_anchors=None,
             anchor_priors=None, anchor_targets=None):
        scenes = self.encode_scenes(tokens)
        b, t, d = scenes.shape
        if self.object_frame is not None and self.aligned_volume:  # the scene turned back by its true turn: row 4b + turn
            scenes = frame_scenes.reshape(b, 4, t, d)[torch.arange(b), scene_turns.long()]
        bv = images.shape[0]
        view_feature = self.view_norm(self.view_encoder(images))
        image = view_feature + self.image_type
        volume = (scenes + self.volume_type)[:, None].expand(b, bv // b, t, d).reshape(bv, t, d)
        query = [self.pose_query.expand(bv, 1, d)] if self.pose_query is not None else []
        if self.volume_summary is not None:
            summary = self.volume_summary["norm"](self.volume_summary["proj"](scenes.reshape(b, t * d)))
            summary = summary[:, None, None].expand(b, bv // b, 1, d).reshape(bv, 1, d)
            if query:
                query = [query[0] + summary]
            else:
                image = image + summary
        joint = self.pose_transformer(torch.cat(query + [image, volume], dim=1))
        feature = F.gelu(self.head.shared(joint[:, 0]))
        anchor_loss = 0
        if self.head.anchor is None:
            rotation = rotation_from_6d(self.head.rotation(feature))
            translation = self.head.translation(feature)
        else:  # the pose of the anchor nearest the truth: the anchor times its residual, its translation
            scores = self.head.anchor(feature)
            if self.head.anchor_comparison_weight is not None:
                scores = scores + self.head.anchor_comparison_weight * anchor_priors
            chosen, rows = nearest_anchors.long(), torch.arange(bv)
            k = self.anchors.shape[0]
            residual = rotation_from_6d(self.head.rotation(feature).reshape(bv, k, 6)[rows, chosen])
            rotation = self.anchors[chosen] @ residual
            translation = self.head.translation(feature).reshape(bv, k, 3)[rows, chosen]
            if anchor_targets is None:
                anchor_loss = F.cross_entropy(scores, chosen)
            else:  # model.anchor_target_spread: every anchor weighted by its angle to the truth
                anchor_loss = -(F.log_softmax(scores, dim=1) * anchor_targets).sum(dim=1).mean()
        frame_loss = 0
        if self.object_frame is not None:  # PoseRegressor's object_frame: turn scores; T·R, T·t by the true turn
            # the scenes through the encoder as loaded (PoseTraining.startingEncodings), pooled again by object_frame_pool;
            # canonical: 4 rows a scene (turned back by 0..3 quarter turns), one score each
            frames = pool(frame_scenes, self.grid // self.pool, self.frame_pool)
            flat = frames.reshape(frames.shape[0], -1)
            if self.frame_mean is not None:  # PoseRegressor.objectFrameStandardization
                flat = (flat - self.frame_mean) * self.frame_scale
            scores = self.object_frame(flat).reshape(b, 4)
            turns = scene_turns.long()
            angle = turns.float() * (math.pi / 2)
            cos, sin = torch.cos(angle).round(), torch.sin(angle).round()  # SceneTurn.matrix: exact quarter turns
            zero, one = torch.zeros_like(cos), torch.ones_like(cos)
            frame = torch.stack([cos, -sin, zero, sin, cos, zero, zero, zero, one], dim=1).reshape(b, 3, 3)
            turn = frame[:, None].expand(b, bv // b, 3, 3).reshape(bv, 3, 3)
            rotation = turn @ rotation
            o, s = self.translation_offset, self.translation_scale
            translation = (turn @ translation[..., None])[..., 0] + ((turn @ o) - o) / s
            frame_loss = F.cross_entropy(scores, turns)
            if self.quarter_head is not None:  # PoseRegressor.scoreQuarters; target PoseTraining.nearestQuarters
                v = bv // b
                object_rotation = (turn.transpose(1, 2) @ rotation).detach()
                quarters = torch.stack([torch.tensor(quarter_turn(q), dtype=torch.float32) @ object_rotation for q in range(4)], dim=1)
                target = rotation_angle(quarters, rotations[:, None]).argmin(dim=1)
                prior = scores.detach().repeat_interleave(v, dim=0)
                frames_of_views = flat.reshape(b, 4, -1).repeat_interleave(v, dim=0)
                x = torch.cat([view_feature.reshape(bv, 1, -1).expand(bv, 4, view_feature[0].numel()), object_rotation.reshape(bv, 1, 9).expand(bv, 4, 9),
                               frames_of_views], dim=2)
                quarter_scores = self.quarter_head(x).reshape(bv, 4) + prior
                frame_loss = frame_loss + F.cross_entropy(quarter_scores, target)
        return ((translation - translations).abs().mean() + self.rotation_weight * (rotation - rotations).abs().mean() + anchor_loss
                + frame_loss)


def quarter_turn(k):
    """SceneTurn.matrix: k quarter turns about +z, exact."""
    c, s = [(1, 0), (0, 1), (-1, 0), (0, -1)][k % 4]
    return [[c, -s, 0], [s, c, 0], [0, 0, 1]]


def rotation_angle(a, b):
    """Rotations.angleDegrees of matching rotations, broadcast: arccos((tr(aᵀb) − 1) / 2)."""
    trace = (a * b).sum(dim=(-1, -2))
    return torch.rad2deg(torch.acos(((trace - 1) / 2).clamp(-1, 1)))


def main(folder, show_gradients=False):
    trace = json.load(open(f"{folder}/trace.json"))
    initial = load_file(f"{folder}/initial.safetensors")
    batches = load_file(f"{folder}/batches.safetensors")
    ours_gradients = load_file(f"{folder}/gradients.safetensors")
    m = trace["model"]
    if trace["task"] == "pretrain":
        model = MAE3D(m, initial["buffer.positions"], initial.get("buffer.output_offset"),
                      initial.get("buffer.decoder_attention_bias"))
    else:
        model = PoseRegressor(m, trace["image_channels"], initial["buffer.positions"],
                              initial.get("buffer.object_frame_mean"), initial.get("buffer.object_frame_scale"),
                              initial.get("buffer.anchors"))
    params = dict(model.named_parameters())
    ours = {k[len("param."):]: v for k, v in initial.items() if k.startswith("param.")}
    missing = set(ours) ^ set(params)
    if missing:
        sys.exit(f"parameter names differ between the dump and the twin: {sorted(missing)}")
    with torch.no_grad():
        for name, p in params.items():
            p.copy_(ours[name].reshape(p.shape))
    groups = [{"params": [params[n] for n in g["parameters"]], "lr": g["learning_rate"], "weight_decay": g["weight_decay"]}
              for g in trace["groups"]]
    trained = {n for g in trace["groups"] for n in g["parameters"]}
    for name, p in params.items():  # frozen in our run (no optimizer group: `freeze_volume_encoder`), frozen here
        p.requires_grad_(name in trained)
    optimizer = torch.optim.AdamW(groups, betas=(trace["beta1"], trace["beta2"]), eps=trace["eps"])
    warmup, total = trace["warmup_steps"], trace["total_steps"]

    def factor(step):
        if step < warmup:
            return (step + 1) / (warmup + 1)
        progress = (min(step, total) - warmup) / max(total - warmup, 1)
        return 0.5 * (1 + math.cos(math.pi * progress))

    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
    losses, worst_gradient = [], (0.0, "")
    for i in range(trace["steps"]):
        optimizer.zero_grad()
        if trace["task"] == "pretrain":
            loss = model.loss(batches[f"tokens.{i}"], batches[f"keep.{i}"].long(), batches[f"restore.{i}"].long())
        else:
            loss = model.loss(batches[f"tokens.{i}"], batches[f"images.{i}"], batches[f"rotations.{i}"], batches[f"translations.{i}"],
                              batches.get(f"scene_turns.{i}"), batches.get(f"frame_scenes.{i}"), batches.get(f"nearest_anchors.{i}"),
                              batches.get(f"anchor_priors.{i}"), batches.get(f"anchor_targets.{i}"))
        loss.backward()
        if i == 0:
            for name, p in params.items():
                if name not in trained:
                    continue
                theirs, mine = p.grad.reshape(-1), ours_gradients[f"grad.{name}"].reshape(-1)
                scale = theirs.abs().max().item()
                error = (mine - theirs).abs().max().item() / scale if scale > 0 else (mine.abs().max().item())
                if show_gradients:
                    print(f"  gradient {name}: {error:.2e}")
                if error > worst_gradient[0]:
                    worst_gradient = (error, name)
        if trace["gradient_clip"] > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), trace["gradient_clip"])
        optimizer.step()
        schedule.step()
        losses.append(loss.item())

    ours_losses = trace["losses"]
    first = abs(ours_losses[0] - losses[0]) / abs(losses[0])
    curve = max(abs(a - b) / abs(b) for a, b in zip(ours_losses, losses))
    checks = [("first loss, relative difference", first, 1e-5),
              (f"first gradients, worst max|diff|/max|twin| ({worst_gradient[1]})", worst_gradient[0], 1e-4),
              (f"loss curve over {len(losses)} steps, worst relative difference", curve, 1e-2)]
    print(f"{trace['task']}: ours {ours_losses[0]:.6f} → {ours_losses[-1]:.6f}, twin {losses[0]:.6f} → {losses[-1]:.6f}")
    failed = False
    for what, value, bound in checks:
        ok = value <= bound
        failed |= not ok
        print(f"  {'ok  ' if ok else 'FAIL'} {what}: {value:.3g} (at most {bound:g})")
    print(json.dumps({"task": trace["task"], "first_loss_relative": first, "gradient_relative": worst_gradient[0],
                      "worst_gradient": worst_gradient[1], "curve_relative": curve, "ours": ours_losses, "twin": losses}))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--gradients"]
    if len(arguments) != 1:
        sys.exit(__doc__)
    main(arguments[0], show_gradients="--gradients" in sys.argv[1:])
