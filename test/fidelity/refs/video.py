"""Video classifiers: C3D, TSN (ResNet-50), SlowFast R50 8x8, Video Swin T/S/B.

Provenance (each written anew in plain torch from the official code's semantics, with its
state-dict names):
- C3D: DavideA/c3d-pytorch, C3D_model.py (commit 1111ccf; the PyTorch port of the Caffe
  release): conv1..conv5b (3x3x3, padding 1) with ReLU, pool1 1x2x2, pool2-4 2x2x2, pool5
  2x2x2 with spatial padding 1, fc6, fc7 (ReLU, dropout), fc8. The official forward ends in a
  softmax; `logits` is fc8's output (what the cross-entropy loss takes).
- TSN: open-mmlab/mmaction2, mmaction/models/heads/tsn_head.py TSNHead.forward (commit
  4d6c934: per-frame global average pool, AvgConsensus over the segments, dropout, fc_cls) and
  configs/_base_/models/tsn_r50.py; the backbone is torchvision's ResNet (torchvision 0.14
  resnet.py Bottleneck, used directly, with the tiny variant's expansion 2), torchvision's
  names (`layerN.M.downsample.0` / `.1`).
- SlowFast: facebookresearch/SlowFast, slowfast/models/video_model_builder.py SlowFast and
  FuseFastToSlow, stem_helper.py VideoModelStem/ResNetBasicStem, resnet_helper.py ResStage/
  ResBlock/BottleneckTransform, head_helper.py ResNetBasicHead (commit 287ec00), config
  SLOWFAST_8x8_R50 (alpha 4, fusion ratio 2, fusion kernel 7, temporal kernels of the
  "slowfast" basis, pool1 of 1x1x1). Keys as PySlowFast's (`s2.pathway0_res0.branch1.weight`)
  under the model's `slowfast.` attribute. `logits` is the head's projection before its
  eval-time softmax (the training path). The tiny variant has a bottleneck expansion of 1
  where PySlowFast hard-codes 4 (dim_out = 4 * width): the only generalisation.
- Video Swin: SwinTransformer/Video-Swin-Transformer, mmaction/models/backbones/
  swin_transformer.py (commit db018fb: PatchEmbed3D, WindowAttention3D with the
  relative_position_index buffer, SwinTransformerBlock3D incl. get_window_size, padding after
  norm1, cyclic shift and compute_mask's -100 mask, PatchMerging, BasicLayer) and
  mmaction/models/heads/i3d_head.py (avg pool, dropout, fc_cls); config
  swin_tiny_patch244_window877_kinetics400_1k (patch 2x4x4, window 8x7x7, qkv_bias, patch_norm).

The loss `cls` is cross_entropy(logits, labels) for every model. Sizes are the stdlib's
_Tiny variants (stdlib/models/video.mm).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.models.resnet import Bottleneck as TVBottleneck

MODELS = ["C3D_Tiny", "TSN_R50_Tiny", "TSN_R50_Tiny@train", "SlowFast_R50_8x8_Tiny", "VideoSwin_T_Tiny", "VideoSwin_S_Tiny", "VideoSwin_B_Tiny"]
SOURCE = "DavideA/c3d-pytorch 1111ccf, open-mmlab/mmaction2 4d6c934, facebookresearch/SlowFast 287ec00, SwinTransformer/Video-Swin-Transformer db018fb"  # the official code followed, for stdlib/README.md
LAYOUT = "pyslowfast"  # SlowFast's layout: PySlowFast's keys at the root, `s2.pathway0_res0` (the others keep their names)

# ------------------------------------------------------------------------------------ C3D


class C3D(nn.Module):
    def __init__(self, widths, hidden, flat, classes, control):
        super().__init__()
        c1, c2, c3, c4, c5 = widths
        conv = lambda i, o: nn.Conv3d(i, o, 3, padding=1)
        self.conv1, self.conv2 = conv(3, c1), conv(c1, c2)
        self.conv3a, self.conv3b = conv(c2, c3), conv(c3, c3)
        self.conv4a, self.conv4b = conv(c3, c4), conv(c4, c4)
        self.conv5a, self.conv5b = conv(c4, c5), conv(c5, c5)
        self.fc6, self.fc7, self.fc8 = nn.Linear(flat, hidden), nn.Linear(hidden, hidden), nn.Linear(hidden, classes)
        self.control = control

    def forward(self, x):
        r = F.relu
        h = F.max_pool3d(r(self.conv1(x)), (1, 2, 2), (1, 2, 2))
        h = F.max_pool3d(r(self.conv2(h)), 2, 2)
        h = F.max_pool3d(r(self.conv3b(r(self.conv3a(h)))), 2, 2)
        h = F.max_pool3d(r(self.conv4b(r(self.conv4a(h)))), 2, 2)
        # control: pool5 without its spatial padding is caught by shape; use avg instead
        pool5 = F.avg_pool3d if self.control else F.max_pool3d
        h = pool5(r(self.conv5b(r(self.conv5a(h)))), 2, 2, padding=(0, 1, 1))
        h = h.reshape(h.shape[0], -1)
        return self.fc8(r(self.fc7(r(self.fc6(h)))))


class C3DModel(nn.Module):
    def __init__(self, control):
        super().__init__()
        # C3D_Tiny: widths 8,16,32,64,64, hidden 64, 16x32x32 clips -> 64 x 1 x 2 x 2 = 256
        self.c3d = C3D([8, 16, 32, 64, 64], 64, 256, 10, control)

    def forward(self, inp):
        logits = self.c3d(inp["clips"])
        return {"logits": logits, "loss_cls": F.cross_entropy(logits, inp["labels"])}

# ------------------------------------------------------------------------------------ TSN


class Bottleneck2(TVBottleneck):
    expansion = 2  # the tiny variant's (torchvision: 4)


class TVResNet(nn.Module):
    """torchvision.models.ResNet's layout (conv1, bn1, maxpool, layer1-4), no fc."""

    def __init__(self, block, layers, width, eps):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(width, eps=eps)
        self.inplanes = width
        for i, n in enumerate(layers):
            planes, stride = width * 2 ** i, 1 if i == 0 else 2
            down = None
            if stride != 1 or self.inplanes != planes * block.expansion:
                down = nn.Sequential(nn.Conv2d(self.inplanes, planes * block.expansion, 1, stride, bias=False),
                                     nn.BatchNorm2d(planes * block.expansion, eps=eps))
            blocks = [block(self.inplanes, planes, stride, down, norm_layer=lambda c: nn.BatchNorm2d(c, eps=eps))]
            self.inplanes = planes * block.expansion
            blocks += [block(self.inplanes, planes, norm_layer=lambda c: nn.BatchNorm2d(c, eps=eps)) for _ in range(1, n)]
            setattr(self, f"layer{i + 1}", nn.Sequential(*blocks))

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, 2, 1)
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return x.mean((2, 3))


class TSNHead(nn.Module):
    def __init__(self, cin, classes):
        super().__init__()
        self.fc_cls = nn.Linear(cin, classes)

    def forward(self, x, segs):
        # avg_pool was done by the backbone wrapper; AvgConsensus over segments, dropout(p=0)
        return self.fc_cls(x.reshape(-1, segs, x.shape[-1]).mean(1))


class TSN(nn.Module):
    def __init__(self, control):
        super().__init__()
        # TSN_R50_Tiny: layers 1,1,1,1, width 4, expansion 2 (64 features), 3 segments
        self.backbone = TVResNet(Bottleneck2, [1, 1, 1, 1], 4, 1e-2 if control else 1e-5)
        self.cls_head = TSNHead(64, 10)

    def forward(self, inp):
        fr = inp["frames"]
        v, s = fr.shape[:2]
        logits = self.cls_head(self.backbone(fr.reshape(v * s, *fr.shape[2:])), s)
        return {"logits": logits, "loss_cls": F.cross_entropy(logits, inp["labels"])}

# ------------------------------------------------------------------------------------ SlowFast


class Stem(nn.Module):
    def __init__(self, cin, cout, kt, eps):
        super().__init__()
        self.conv = nn.Conv3d(cin, cout, (kt, 7, 7), (1, 2, 2), (kt // 2, 3, 3), bias=False)
        self.bn = nn.BatchNorm3d(cout, eps=eps)

    def forward(self, x):
        return F.max_pool3d(F.relu(self.bn(self.conv(x))), (1, 3, 3), (1, 2, 2), (0, 1, 1))


class VideoModelStem(nn.Module):
    def __init__(self, cout, kts, eps):
        super().__init__()
        for p, (c, kt) in enumerate(zip(cout, kts)):
            setattr(self, f"pathway{p}_stem", Stem(3, c, kt, eps))

    def forward(self, xs):
        return [getattr(self, f"pathway{p}_stem")(x) for p, x in enumerate(xs)]


class Fuse(nn.Module):
    def __init__(self, cin, ratio, kernel, alpha, eps):
        super().__init__()
        self.conv_f2s = nn.Conv3d(cin, cin * ratio, (kernel, 1, 1), (alpha, 1, 1), (kernel // 2, 0, 0), bias=False)
        self.bn = nn.BatchNorm3d(cin * ratio, eps=eps)

    def forward(self, xs):
        return [torch.cat([xs[0], F.relu(self.bn(self.conv_f2s(xs[1])))], 1), xs[1]]


class BottleneckTransform(nn.Module):
    def __init__(self, cin, cout, kt, stride, inner, eps):
        super().__init__()
        self.a = nn.Conv3d(cin, inner, (kt, 1, 1), 1, (kt // 2, 0, 0), bias=False)
        self.a_bn = nn.BatchNorm3d(inner, eps=eps)
        self.b = nn.Conv3d(inner, inner, (1, 3, 3), (1, stride, stride), (0, 1, 1), bias=False)
        self.b_bn = nn.BatchNorm3d(inner, eps=eps)
        self.c = nn.Conv3d(inner, cout, 1, bias=False)
        self.c_bn = nn.BatchNorm3d(cout, eps=eps)

    def forward(self, x):
        x = F.relu(self.a_bn(self.a(x)))
        x = F.relu(self.b_bn(self.b(x)))
        return self.c_bn(self.c(x))


class ResBlock(nn.Module):
    def __init__(self, cin, cout, kt, stride, inner, eps):
        super().__init__()
        self.has_branch1 = cin != cout or stride != 1
        if self.has_branch1:
            self.branch1 = nn.Conv3d(cin, cout, 1, (1, stride, stride), bias=False)
            self.branch1_bn = nn.BatchNorm3d(cout, eps=eps)
        self.branch2 = BottleneckTransform(cin, cout, kt, stride, inner, eps)

    def forward(self, x):
        sc = self.branch1_bn(self.branch1(x)) if self.has_branch1 else x
        return F.relu(sc + self.branch2(x))


class ResStage(nn.Module):
    def __init__(self, cin, cout, inner, kts, stride, blocks, eps):
        super().__init__()
        self.blocks = blocks
        for p in range(2):
            for i in range(blocks):
                setattr(self, f"pathway{p}_res{i}",
                        ResBlock(cin[p] if i == 0 else cout[p], cout[p], kts[p], stride if i == 0 else 1, inner[p], eps))

    def forward(self, xs):
        out = []
        for p, x in enumerate(xs):
            for i in range(self.blocks):
                x = getattr(self, f"pathway{p}_res{i}")(x)
            out.append(x)
        return out


class Head(nn.Module):
    def __init__(self, cin, classes):
        super().__init__()
        self.projection = nn.Linear(cin, classes)

    def forward(self, xs):
        x = torch.cat([x.mean((2, 3, 4)) for x in xs], 1)   # pathway avg pools (global here)
        return self.projection(x)


class SlowFastNet(nn.Module):
    def __init__(self, width, beta_inv, expansion, depths, alpha, classes, eps):
        super().__init__()
        ratio, kernel = 2, 7                                  # FUSION_CONV_CHANNEL_RATIO, FUSION_KERNEL_SZ
        out_dim_ratio = beta_inv // ratio
        # the "slowfast" temporal kernel basis: stem [1],[5]; res2 [1],[3]; res3 [1],[3]; res4 [3],[3]; res5 [3],[3]
        tk = [[1, 5], [1, 3], [1, 3], [3, 3], [3, 3]]
        self.s1 = VideoModelStem([width, width // beta_inv], tk[0], eps)
        self.s1_fuse = Fuse(width // beta_inv, ratio, kernel, alpha, eps)
        cin = [width + width // out_dim_ratio, width // beta_inv]
        for i in range(4):
            out = width * expansion * 2 ** i
            inner = width * 2 ** i
            stage = ResStage(cin, [out, out // beta_inv], [inner, inner // beta_inv], tk[i + 1],
                             1 if i == 0 else 2, depths[i], eps)
            setattr(self, f"s{i + 2}", stage)
            if i < 3:
                setattr(self, f"s{i + 2}_fuse", Fuse(out // beta_inv, ratio, kernel, alpha, eps))
            cin = [out + out // out_dim_ratio, out // beta_inv]
        out = width * expansion * 8
        self.head = Head(out + out // beta_inv, classes)

    def forward(self, slow, fast):
        x = self.s2(self.s1_fuse(self.s1([slow, fast])))
        x = self.s2_fuse(x)        # pathway pools: _POOL1 of slowfast is 1x1x1 (identity)
        x = self.s4_fuse(self.s4(self.s3_fuse(self.s3(x))))
        return self.head(self.s5(x))


class SlowFastModel(SlowFastNet):
    """PySlowFast's network itself, so its state dict has the checkpoints' keys (at the root)."""

    def __init__(self, control):
        # SlowFast_R50_8x8_Tiny: width 8, beta_inv 4, expansion 1, depths 1,1,1,1, alpha 8/2 = 4
        super().__init__(8, 4, 1, [1, 1, 1, 1], 4, 10, 1e-2 if control else 1e-5)

    def forward(self, inp):
        logits = super().forward(inp["slow_frames"], inp["fast_frames"])
        return {"logits": logits, "loss_cls": F.cross_entropy(logits, inp["labels"])}

# ------------------------------------------------------------------------------------ Video Swin


def window_partition(x, ws):
    b, d, h, w, c = x.shape
    x = x.view(b, d // ws[0], ws[0], h // ws[1], ws[1], w // ws[2], ws[2], c)
    return x.permute(0, 1, 3, 5, 2, 4, 6, 7).reshape(-1, ws[0] * ws[1] * ws[2], c)


def window_reverse(win, ws, b, d, h, w):
    x = win.view(b, d // ws[0], h // ws[1], w // ws[2], ws[0], ws[1], ws[2], -1)
    return x.permute(0, 1, 4, 2, 5, 3, 6, 7).reshape(b, d, h, w, -1)


def effective_window(size, window, shift):
    ws, ss = list(window), list(shift)
    for i in range(3):
        if size[i] <= window[i]:
            ws[i], ss[i] = size[i], 0
    return tuple(ws), tuple(ss)


def shift_mask(dp, hp, wp, ws, ss):
    img = torch.zeros(1, dp, hp, wp, 1)
    cnt = 0
    for d in (slice(-ws[0]), slice(-ws[0], -ss[0]), slice(-ss[0], None)):
        for h in (slice(-ws[1]), slice(-ws[1], -ss[1]), slice(-ss[1], None)):
            for w in (slice(-ws[2]), slice(-ws[2], -ss[2]), slice(-ss[2], None)):
                img[:, d, h, w, :] = cnt
                cnt += 1
    mw = window_partition(img, ws).squeeze(-1)
    m = mw.unsqueeze(1) - mw.unsqueeze(2)
    return torch.where(m != 0, torch.tensor(-100.0), torch.tensor(0.0))


class WindowAttention3D(nn.Module):
    def __init__(self, dim, window, heads):
        super().__init__()
        self.heads = heads
        self.relative_position_bias_table = nn.Parameter(
            torch.zeros((2 * window[0] - 1) * (2 * window[1] - 1) * (2 * window[2] - 1), heads))
        g = torch.stack(torch.meshgrid(*[torch.arange(n) for n in window], indexing="ij")).flatten(1)
        rel = (g[:, :, None] - g[:, None, :]).permute(1, 2, 0)
        idx = ((rel[..., 0] + window[0] - 1) * (2 * window[1] - 1) * (2 * window[2] - 1)
               + (rel[..., 1] + window[1] - 1) * (2 * window[2] - 1) + (rel[..., 2] + window[2] - 1))
        self.register_buffer("relative_position_index", idx)   # persistent, as in the official code
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x, mask):
        bw, n, c = x.shape
        d = c // self.heads
        q, k, v = self.qkv(x).view(bw, n, 3, self.heads, d).permute(2, 0, 3, 1, 4)
        attn = (q * d ** -0.5) @ k.transpose(-1, -2)
        # the official code indexes the full window's table with [:N, :N] when the window shrinks
        bias = self.relative_position_bias_table[self.relative_position_index[:n, :n].reshape(-1)]
        attn = attn + bias.view(n, n, -1).permute(2, 0, 1).unsqueeze(0)
        if mask is not None:
            nw = mask.shape[0]
            attn = (attn.view(bw // nw, nw, self.heads, n, n) + mask[None, :, None]).view(bw, self.heads, n, n)
        return self.proj((attn.softmax(-1) @ v).transpose(1, 2).reshape(bw, n, c))


class Mlp(nn.Module):
    def __init__(self, dim, hidden, act):
        super().__init__()
        self.fc1, self.fc2, self.act = nn.Linear(dim, hidden), nn.Linear(hidden, dim), act

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class SwinBlock3D(nn.Module):
    def __init__(self, dim, heads, window, shift, act):
        super().__init__()
        self.window, self.shift = window, shift
        self.norm1 = nn.LayerNorm(dim)
        self.attn = WindowAttention3D(dim, window, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = Mlp(dim, 4 * dim, act)

    def part1(self, x, mask):
        b, d, h, w, c = x.shape
        ws, ss = effective_window((d, h, w), self.window, self.shift)
        x = self.norm1(x)
        pd, ph, pw = [(ws[i] - s % ws[i]) % ws[i] for i, s in enumerate((d, h, w))]
        x = F.pad(x, (0, 0, 0, pw, 0, ph, 0, pd))
        _, dp, hp, wp, _ = x.shape
        shifted = any(s > 0 for s in ss)
        if shifted:
            x = torch.roll(x, (-ss[0], -ss[1], -ss[2]), (1, 2, 3))
        y = self.attn(window_partition(x, ws), mask if shifted else None)
        x = window_reverse(y, ws, b, dp, hp, wp)
        if shifted:
            x = torch.roll(x, ss, (1, 2, 3))
        return x[:, :d, :h, :w]

    def forward(self, x, mask):
        x = x + self.part1(x, mask)
        return x + self.mlp(self.norm2(x))


class PatchMerging(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.reduction = nn.Linear(4 * dim, 2 * dim, bias=False)
        self.norm = nn.LayerNorm(4 * dim)

    def forward(self, x):
        _, _, h, w, _ = x.shape
        if h % 2 or w % 2:
            x = F.pad(x, (0, 0, 0, w % 2, 0, h % 2))
        x = torch.cat([x[:, :, 0::2, 0::2], x[:, :, 1::2, 0::2], x[:, :, 0::2, 1::2], x[:, :, 1::2, 1::2]], -1)
        return self.reduction(self.norm(x))


class BasicLayer(nn.Module):
    def __init__(self, dim, depth, heads, window, act, merge):
        super().__init__()
        self.window = window
        self.shift = tuple(i // 2 for i in window)
        self.blocks = nn.ModuleList([SwinBlock3D(dim, heads, window, (0, 0, 0) if i % 2 == 0 else self.shift, act)
                                     for i in range(depth)])
        self.downsample = PatchMerging(dim) if merge else None

    def forward(self, x):                               # [b, c, d, h, w]
        _, _, d, h, w = x.shape
        ws, ss = effective_window((d, h, w), self.window, self.shift)
        x = x.permute(0, 2, 3, 4, 1)
        dp, hp, wp = [-(-s // ws[i]) * ws[i] for i, s in enumerate((d, h, w))]
        mask = shift_mask(dp, hp, wp, ws, ss)
        for blk in self.blocks:
            x = blk(x, mask)
        if self.downsample is not None:
            x = self.downsample(x)
        return x.permute(0, 4, 1, 2, 3)


class PatchEmbed3D(nn.Module):
    def __init__(self, patch, dim):
        super().__init__()
        self.patch = patch
        self.proj = nn.Conv3d(3, dim, patch, patch)
        self.norm = nn.LayerNorm(dim)

    def forward(self, x):
        _, _, d, h, w = x.shape
        p = self.patch
        x = F.pad(x, (0, (-w) % p[2], 0, (-h) % p[1], 0, (-d) % p[0]))
        x = self.proj(x)
        return self.norm(x.permute(0, 2, 3, 4, 1)).permute(0, 4, 1, 2, 3)


class SwinTransformer3D(nn.Module):
    def __init__(self, embed, depths, heads, window, patch, act, eps):
        super().__init__()
        self.patch_embed = PatchEmbed3D(patch, embed)
        self.layers = nn.ModuleList([BasicLayer(embed * 2 ** i, depths[i], heads[i], window, act, i < len(depths) - 1)
                                     for i in range(len(depths))])
        self.norm = nn.LayerNorm(embed * 2 ** (len(depths) - 1), eps=eps)

    def forward(self, x):
        x = self.patch_embed(x)
        for layer in self.layers:
            x = layer(x)
        return self.norm(x.permute(0, 2, 3, 4, 1)).permute(0, 4, 1, 2, 3)


class I3DHead(nn.Module):
    def __init__(self, cin, classes):
        super().__init__()
        self.fc_cls = nn.Linear(cin, classes)

    def forward(self, x):
        return self.fc_cls(x.mean((2, 3, 4)))


class VideoSwin(nn.Module):
    def __init__(self, heads, control):
        super().__init__()
        self.backbone = SwinTransformer3D(8, [2, 2, 2, 2], heads, (8, 7, 7), (2, 4, 4), F.gelu, 1e-3 if control else 1e-5)
        self.cls_head = I3DHead(64, 10)

    def forward(self, inp):
        logits = self.cls_head(self.backbone(inp["video"]))
        return {"logits": logits, "loss_cls": F.cross_entropy(logits, inp["labels"])}


def build(model, control):
    """The reference for `model`. Controls: C3D's pool5 averages instead of taking the max;
    TSN's and SlowFast's BatchNorm eps 1e-2 instead of 1e-5; Video Swin's final LayerNorm
    (`backbone.norm`) eps 1e-3 instead of 1e-5."""
    if model == "C3D_Tiny":
        m = C3DModel(control)
    elif model == "TSN_R50_Tiny":
        m = TSN(control)
    elif model == "SlowFast_R50_8x8_Tiny":
        m = SlowFastModel(control)
    else:
        heads = [2, 4, 8, 16] if model == "VideoSwin_B_Tiny" else [1, 2, 4, 8]
        m = VideoSwin(heads, control)
    return m, lambda mod, inp: mod(inp)
