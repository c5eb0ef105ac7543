"""Pose calibration: a plain CNN pose regressor on a 3-D zoo's stored views, in PyTorch, to tell
what the data allows from what our pose model learns. Same view encoder as ours (four 3x3
stride-2 convolutions, flattened, linear), an MLP head, 6-D rotation, L1 on translation and on the
rotation matrix, AdamW with a one-cycle schedule, random training views of random scenes.
Variants: image (no scene signal at all), embed (a learned per-scene embedding: oracle identity),
volume (the scene's volume average-pooled and flattened: a spatial descriptor), and ours: the shape
of our PoseRegressor (the view token through a layer norm plus a type embedding, a pose transformer
of --pose-depth layers over it and --volume-tokens volume tokens (a linear map of the pooled volume's
cells, 0 for none), read out at the view token, then the shared MLP and the heads). With
--scenes-per-step, each step takes that many scenes with --views/scenes views each (ours: 4 x 16),
not --views random (scene, view) pairs. With --anchors K, the head scores K anchor rotations (a
farthest-point sample of the training poses) and regresses a residual rotation and a translation for
each; the loss adds the cross-entropy of the anchor nearest the truth (our `model.rotation_anchors`).

    python3 Tests/PyTorchTwin/pose_probe.py Checkpoints/default/zoo3d/zoo.h5 \
        Checkpoints/default/zoo3d/zoo-volumes-*.safetensors --variant image --steps 2000

Prints median rotation errors (degrees) on training views, unseen views of training scenes and
unseen scenes every 500 steps, as JSON lines."""
import argparse, json, time, h5py, numpy as np, torch, torch.nn as nn, torch.nn.functional as F
from safetensors.torch import load_file

p = argparse.ArgumentParser()
p.add_argument("zoo"); p.add_argument("volumes")
p.add_argument("--variant", default="image"); p.add_argument("--steps", type=int, default=1500)
p.add_argument("--views", type=int, default=64); p.add_argument("--lr", type=float, default=1e-3)
p.add_argument("--seed", type=int, default=0); p.add_argument("--pool", type=int, default=4)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--scenes-per-step", type=int, default=0); p.add_argument("--pose-depth", type=int, default=2)
p.add_argument("--volume-tokens", type=int, default=64)
p.add_argument("--anchors", type=int, default=0)
p.add_argument("--init", default="torch", choices=["torch", "ours"])  # ours: every linear map after the view encoder's
                                                                    # projection drawn as our PoseRegressor draws it
a = p.parse_args()
torch.manual_seed(a.seed); torch.set_num_threads(a.threads); rng = np.random.default_rng(a.seed)
z = h5py.File(a.zoo, "r")
imgs = torch.tensor(z["views/images"][:]).permute(0, 1, 4, 2, 3).float() / 127.5 - 1  # N V 3 H W
poses = torch.tensor(z["views/poses"][:])  # N V 4 4
split = z["split"][:]
N, V = imgs.shape[:2]
train_s = np.where(split == 0)[0]; test_s = np.where(split == 1)[0]; TV = 20
vol = load_file(a.volumes)["volumes"]  # N S S S 4
vol = vol.permute(0, 4, 1, 2, 3)
cells = F.avg_pool3d(vol, vol.shape[-1] // round(a.volume_tokens ** (1 / 3))) if a.volume_tokens else None
if cells is not None:  # N, tokens, 4 * (S / side)^3: one token per pooled cell, as our tokens
    side = cells.shape[-1]; k = vol.shape[-1] // side
    cells = vol.reshape(N := vol.shape[0], 4, side, k, side, k, side, k).permute(0, 2, 4, 6, 1, 3, 5, 7).reshape(N, side ** 3, -1)
    cells = (cells - cells.mean()) / (cells.std() + 1e-6)
vol = F.avg_pool3d(vol, a.pool).flatten(1)  # N, 4*(S/pool)^3
vol = (vol - vol[train_s].mean(0)) / (vol[train_s].std(0) + 1e-3)
R = poses[..., :3, :3]; T = (poses[..., :3, 3] - torch.tensor([0, 0, 2.4])) / 5

def angle(Rp, Rt):
    c = ((Rp.transpose(-1, -2) @ Rt).diagonal(dim1=-2, dim2=-1).sum(-1) - 1) / 2
    return torch.rad2deg(torch.arccos(c.clamp(-1, 1)))

anchors = None
if a.anchors:  # farthest-point sample of the training rotations
    pool = R[train_s, :TV].reshape(-1, 3, 3)
    chosen = [0]; d = angle(pool, pool[0].expand_as(pool))
    for _ in range(a.anchors - 1):
        i = int(d.argmax()); chosen.append(i); d = torch.minimum(d, angle(pool, pool[i].expand_as(pool)))
    anchors = pool[chosen]
    print(json.dumps(dict(anchors=a.anchors, max_gap_deg=round(float(d.max()), 1))), flush=True)
def nearest_anchor(Rt):
    return angle(anchors[None], Rt[:, None].expand(-1, len(anchors), 3, 3)).argmin(1)

def six_to_matrix(x):
    a1, a2 = x[..., :3], x[..., 3:]
    b1 = F.normalize(a1, dim=-1); b2 = F.normalize(a2 - (b1 * a2).sum(-1, keepdim=True) * b1, dim=-1)
    return torch.stack([b1, b2, torch.cross(b1, b2, dim=-1)], dim=-2)

class Model(nn.Module):
    def __init__(s):
        super().__init__()
        ch = [3, 32, 64, 128, 192]
        s.convs = nn.ModuleList([nn.Conv2d(ch[i], ch[i + 1], 3, 2, 1) for i in range(4)])
        s.proj = nn.Linear(192 * 16, 192)
        extra = 0
        if a.variant == "embed": s.embed = nn.Embedding(N, 64); extra = 64
        if a.variant == "volume": s.vproj = nn.Sequential(nn.Linear(vol.shape[1], 256), nn.GELU(), nn.Linear(256, 64)); extra = 64
        if a.variant == "ours":
            s.view_norm = nn.LayerNorm(192)
            s.image_type = nn.Parameter(torch.randn(1, 1, 192) * 0.02); s.volume_type = nn.Parameter(torch.randn(1, 1, 192) * 0.02)
            layer = nn.TransformerEncoderLayer(192, 3, 4 * 192, dropout=0.0, activation="gelu", batch_first=True, norm_first=True)
            s.pose = nn.TransformerEncoder(layer, a.pose_depth, enable_nested_tensor=False); s.pose_norm = nn.LayerNorm(192)
            if cells is not None:
                s.cell_embed = nn.Linear(cells.shape[-1], 192); s.cell_pos = nn.Parameter(torch.randn(1, cells.shape[1], 192) * 0.02)
        s.head = nn.Sequential(nn.Linear(192 + extra, 256), nn.GELU(), nn.Linear(256, 256), nn.GELU())
        K = max(a.anchors, 1)
        s.rot = nn.Linear(256, 6 * K); s.tr = nn.Linear(256, 3 * K); s.logits = nn.Linear(256, K) if a.anchors else None
        with torch.no_grad(): s.rot.weight.mul_(0.1); s.rot.bias.copy_(torch.tensor([1., 0, 0, 0, 1, 0]).repeat(K))
    def forward(s, x, scenes):
        for c in s.convs: x = F.relu(c(x))
        f = s.proj(x.flatten(1))
        if a.variant == "embed": f = torch.cat([f, s.embed(scenes)], 1)
        if a.variant == "volume": f = torch.cat([f, s.vproj(vol[scenes])], 1)
        if a.variant == "ours":
            tokens = [s.view_norm(f)[:, None] + s.image_type]
            if cells is not None: tokens.append(s.cell_embed(cells[scenes]) + s.cell_pos + s.volume_type)
            f = s.pose_norm(s.pose(torch.cat(tokens, 1)))[:, 0]
        h = s.head(f)
        if not a.anchors: return six_to_matrix(s.rot(h)), s.tr(h), None
        # per anchor: a residual rotation applied to the anchor, and a translation
        rot = anchors[None] @ six_to_matrix(s.rot(h).view(len(h), -1, 6))
        return rot, s.tr(h).view(len(h), -1, 3), s.logits(h)

def pick(Rp, Tp, logits, k=None):
    if logits is None: return Rp, Tp
    k = logits.argmax(1) if k is None else k
    i = torch.arange(len(k)); return Rp[i, k], Tp[i, k]

m = Model()
if a.init == "ours":  # truncated normal, std 0.02, zero bias (PoseRegressor's pose transformer, MLP and heads)
    with torch.no_grad():
        for name, mod in m.named_modules():
            if isinstance(mod, nn.Linear) and not name.startswith(("proj", "cell_embed")):
                nn.init.trunc_normal_(mod.weight, std=0.02, a=-0.04, b=0.04); nn.init.zeros_(mod.bias)
            if isinstance(mod, nn.MultiheadAttention):
                nn.init.trunc_normal_(mod.in_proj_weight, std=0.02, a=-0.04, b=0.04); nn.init.zeros_(mod.in_proj_bias)
        m.rot.bias.copy_(torch.tensor([1., 0, 0, 0, 1, 0]).repeat(max(a.anchors, 1)))
opt = torch.optim.AdamW(m.parameters(), lr=a.lr, weight_decay=0.05)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=a.steps, pct_start=0.1)
def evaluate(scenes, views):
    m.eval(); out = []
    with torch.no_grad():
        for s in scenes:
            Rp, _ = pick(*m(imgs[s, views], torch.full((len(views),), int(s))))
            out.append(angle(Rp, R[s, views]))
    m.train(); return float(torch.cat(out).median())
t0 = time.time()
for step in range(a.steps):
    if a.scenes_per_step:
        per = a.views // a.scenes_per_step
        s = np.repeat(rng.choice(train_s, a.scenes_per_step, replace=False), per)
        v = np.concatenate([rng.choice(TV, per, replace=False) for _ in range(a.scenes_per_step)])
    else:
        s = rng.choice(train_s, a.views); v = rng.integers(0, TV, a.views)
    st = torch.tensor(s)
    Rp, Tp, logits = m(imgs[st, v], st)
    k = nearest_anchor(R[st, v]) if a.anchors else None
    Rp, Tp = pick(Rp, Tp, logits, k)
    loss = (Tp - T[st, v]).abs().mean() + (Rp - R[st, v]).abs().mean()
    if a.anchors: loss = loss + F.cross_entropy(logits, k)
    opt.zero_grad(); loss.backward(); opt.step(); sched.step()
    if (step + 1) % 500 == 0 or step + 1 == a.steps:
        r = dict(variant=a.variant, init=a.init, anchors=a.anchors, seed=a.seed, scenes_per_step=a.scenes_per_step, volume_tokens=a.volume_tokens, step=step + 1, loss=round(loss.item(), 4),
                 train=evaluate(train_s, list(range(TV))), unseen_view=evaluate(train_s, list(range(TV, V))),
                 unseen_scene=evaluate(test_s, list(range(V))), secs=round(time.time() - t0))
        print(json.dumps(r), flush=True)
