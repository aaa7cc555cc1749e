"""AVAD (Feng, Chen and Owens, CVPR 2023): audio-visual anomaly detection for video forensics.

Provenance: cfeng16/audio-visual-forensics (commit b6358e1), written anew in plain torch with
the official state-dict names:
- backbone/resnet_2d3d.py ResNet2d3d / resnet18_2d3d (BasicBlock2d in layer1-2, BasicBlock3d
  in layer3-4, layer4 stride 1, nn.Sequential downsample `downsample.0` / `.1`) -> `vis_enc`;
- audio_process.py AudioEncoder -> `aud_enc`;
- model.py MP_AViT (pos/temporal/modality embeddings, spatial max pool, the *reshape* of
  [b, d, t] to [b, t, d], [cls, audio, video] tokens, vit-pytorch PreNorm/Attention/
  FeedForward with nn.ModuleList / nn.Sequential names `layers.N.0`, `layers.N.1`,
  `fn.to_out.0`, `fn.net.0`, `fn.net.3`, `mlp_head.0`, `mlp_head.1`) -> `transformer`, and
  MP_av_feature_AViT (the same embeddings, reshape, permute back, max over time, cat(video,
  audio)) which detect.py loads from the same weights: here `transformer`'s av-feature path;
- transformer_component.py transformer_decoder / decoder_only_module / MemoryCompressedAttention
  (causal, compression 1, null key/value, scores scaled by the model width ** -0.5, keys
  masked where input_mask > 0, the Annotated Transformer's LayerNorm with the unbiased std,
  one `norm` used twice; `docoder.compress_fn.conv` exists in the state dict though unused at
  compression 1) -> `dist_regressive_model`, `avfeature_regressive_model`;
- detect.py network.forward and test2: the 31 (here `offsets`) clip/audio pairs per step,
  the av feature of the centre (in-sync) pair, sklearn PCA transform ((x - mean_) @
  components_.T), softmax targets, log_softmax predictions, KLDivLoss(reduce=False) summed
  over offsets, MSE summed over the PCA dims on L2-normalised features, the mean over the
  real steps, score = dist + lam * av (lam = 0).
Where the official code is only defined for a 0/1 suffix mask (padded steps are 1), the
reference generalises it as the code treats the mask: a step is padded where mask > 0
(MemoryCompressedAttention's `> 0`), and a prediction counts where its target step is not
padded (detect.py's `[:max_len - pad_len - 1]`). The sync loss (training code not released)
is the cross-entropy over each clip's S candidate audio windows; the autoregressive losses are
the batch means of the detection scores. Sizes are AVAD_Tiny's (stdlib/models/avad.mm).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

MODELS = ["AVAD_Tiny"]
SOURCE = "cfeng16/audio-visual-forensics b6358e1"  # the official code followed, for stdlib/README.md

# ------------------------------------------------------------------ resnet18_2d3d


class BasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride, temporal, downsample):
        super().__init__()
        k, p = ((3, 3, 3), 1) if temporal else ((1, 3, 3), (0, 1, 1))
        self.conv1 = nn.Conv3d(inplanes, planes, k, (1, stride, stride), p, bias=False)
        self.bn1 = nn.BatchNorm3d(planes)
        self.conv2 = nn.Conv3d(planes, planes, k, 1, p, bias=False)
        self.bn2 = nn.BatchNorm3d(planes)
        self.downsample = downsample

    def forward(self, x):
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        res = self.downsample(x) if self.downsample is not None else x
        return F.relu(out + res)


class ResNet2d3d(nn.Module):
    def __init__(self, layers, width):
        super().__init__()
        self.conv1 = nn.Conv3d(3, width, (1, 7, 7), (1, 2, 2), (0, 3, 3), bias=False)
        self.bn1 = nn.BatchNorm3d(width)
        self.inplanes = width
        for i, (n, stride, temporal) in enumerate(zip(layers, [1, 2, 2, 1], [False, False, True, True])):
            planes = width * 2 ** i
            down = None
            if stride != 1 or self.inplanes != planes:
                down = nn.Sequential(nn.Conv3d(self.inplanes, planes, 1, (1, stride, stride), bias=False),
                                     nn.BatchNorm3d(planes))
            blocks = [BasicBlock(self.inplanes, planes, stride, temporal, down)]
            self.inplanes = planes
            blocks += [BasicBlock(planes, planes, 1, temporal, None) for _ in range(1, n)]
            setattr(self, f"layer{i + 1}", nn.Sequential(*blocks))

    def forward(self, x):
        x = F.max_pool3d(F.relu(self.bn1(self.conv1(x))), (1, 3, 3), (1, 2, 2), (0, 1, 1))
        return self.layer4(self.layer3(self.layer2(self.layer1(x))))

# ------------------------------------------------------------------ AudioEncoder


class AudioEncoder(nn.Module):
    def __init__(self, w, out):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(1, w, 3, (2, 1), 1), nn.BatchNorm2d(w)
        self.conv2, self.bn2 = nn.Conv2d(w, 3 * w, 3, 1, 1), nn.BatchNorm2d(3 * w)
        self.conv3, self.bn3 = nn.Conv2d(3 * w, 6 * w, 3, 1, 1), nn.BatchNorm2d(6 * w)
        self.conv4, self.bn4 = nn.Conv2d(6 * w, 4 * w, 3, 1, 1), nn.BatchNorm2d(4 * w)
        self.conv5, self.bn5 = nn.Conv2d(4 * w, 4 * w, 3, 1, 1), nn.BatchNorm2d(4 * w)
        self.conv6, self.bn6 = nn.Conv2d(4 * w, out, (4, 3), 1, (0, 1)), nn.BatchNorm2d(out)
        self.conv7 = nn.Conv2d(out, out, 1)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), (3, 1), (2, 1))
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), (3, 3), (2, 2))
        x = F.relu(self.bn3(self.conv3(x)))
        x = F.relu(self.bn4(self.conv4(x)))
        x = F.max_pool2d(F.relu(self.bn5(self.conv5(x))), (2, 3), (2, 2))
        x = self.conv7(F.relu(self.bn6(self.conv6(x))))
        return x.squeeze(-2)

# ------------------------------------------------------------------ MP_AViT


class PreNorm(nn.Module):
    def __init__(self, dim, fn):
        super().__init__()
        self.norm, self.fn = nn.LayerNorm(dim), fn

    def forward(self, x):
        return self.fn(self.norm(x))


class Attention(nn.Module):
    def __init__(self, dim, heads, dim_head):
        super().__init__()
        self.heads, self.scale = heads, dim_head ** -0.5
        self.to_qkv = nn.Linear(dim, 3 * heads * dim_head, bias=False)
        self.to_out = nn.Sequential(nn.Linear(heads * dim_head, dim), nn.Dropout(0.0))

    def forward(self, x):
        b, n, _ = x.shape
        q, k, v = [t.view(b, n, self.heads, -1).transpose(1, 2) for t in self.to_qkv(x).chunk(3, -1)]
        o = ((q @ k.transpose(-1, -2)) * self.scale).softmax(-1) @ v
        return self.to_out(o.transpose(1, 2).reshape(b, n, -1))


class FeedForward(nn.Module):
    def __init__(self, dim, hidden, act):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(dim, hidden), act, nn.Dropout(0.0), nn.Linear(hidden, dim), nn.Dropout(0.0))

    def forward(self, x):
        return self.net(x)


class Transformer(nn.Module):
    def __init__(self, dim, depth, heads, dim_head, mlp, act):
        super().__init__()
        self.layers = nn.ModuleList([nn.ModuleList([PreNorm(dim, Attention(dim, heads, dim_head)),
                                                    PreNorm(dim, FeedForward(dim, mlp, act))]) for _ in range(depth)])

    def forward(self, x):
        for attn, ff in self.layers:
            x = attn(x) + x
            x = ff(x) + x
        return x


class MPAViT(nn.Module):
    def __init__(self, grid, dim, depth, heads, dim_head, mlp, classes, vlen, alen, act):
        super().__init__()
        self.pos_embedding = nn.Parameter(torch.zeros(1, dim, 1, grid, grid))
        self.visual_modality_embeding = nn.Parameter(torch.zeros(1, dim, 1))
        self.audio_modality_embeding = nn.Parameter(torch.zeros(1, dim, 1))
        self.temporal_visual_embedding = nn.Parameter(torch.zeros(1, dim, vlen))
        self.temporal_audio_embedding = nn.Parameter(torch.zeros(1, dim, alen))
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.transformer = Transformer(dim, depth, heads, dim_head, mlp, act)
        self.mlp_head = nn.Sequential(nn.LayerNorm(dim), nn.Linear(dim, classes))

    def embed(self, video, audio):
        t, ta = video.shape[2], audio.shape[2]
        v = (video + self.pos_embedding).amax((3, 4))                            # max_pool2d over the grid
        v = v + self.temporal_visual_embedding[:, :, :t] + self.visual_modality_embeding
        a = audio + self.temporal_audio_embedding[:, :, :ta] + self.audio_modality_embeding
        b, d, _ = v.shape
        return v.reshape(b, -1, d), a.reshape(b, -1, d)                          # reshape, not transpose

    def forward(self, video, audio):                                            # MP_AViT
        v, a = self.embed(video, audio)
        x = torch.cat([self.cls_token.expand(v.shape[0], -1, -1), a, v], 1)
        return self.mlp_head(self.transformer(x)[:, 0])

    def av_feature(self, video, audio):                                         # MP_av_feature_AViT
        v, a = self.embed(video, audio)
        v, a = v.permute(0, 2, 1), a.permute(0, 2, 1)
        return torch.cat([v.amax(2), a.amax(2)], 1)

# ------------------------------------------------------------------ transformer_decoder


class AnnotatedLayerNorm(nn.Module):
    def __init__(self, features, eps=1e-6):
        super().__init__()
        self.a_2 = nn.Parameter(torch.ones(features))
        self.b_2 = nn.Parameter(torch.zeros(features))
        self.eps = eps

    def forward(self, x):
        return self.a_2 * (x - x.mean(-1, keepdim=True)) / (x.std(-1, keepdim=True) + self.eps) + self.b_2


class ConvCompress(nn.Module):
    def __init__(self, dim, ratio, groups):
        super().__init__()
        self.conv = nn.Conv1d(dim, dim, ratio, stride=ratio, groups=groups)


class MemoryCompressedAttention(nn.Module):
    def __init__(self, dim, heads, cf=1):
        super().__init__()
        self.heads = heads
        self.compress_fn = ConvCompress(dim, cf, heads)   # unused at compression 1, in the state dict
        self.to_qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.to_out = nn.Linear(dim, dim)
        self.null_k = nn.Parameter(torch.zeros(1, 1, dim))
        self.null_v = nn.Parameter(torch.zeros(1, 1, dim))

    def forward(self, x, input_mask):
        b, t, d = x.shape
        q, k, v = self.to_qkv(x).chunk(3, -1)
        k = torch.cat([self.null_k.expand(b, -1, -1), k], 1)
        v = torch.cat([self.null_v.expand(b, -1, -1), v], 1)
        sp = lambda y: y.reshape(b, y.shape[1], self.heads, -1).transpose(1, 2)
        q, k, v = sp(q), sp(k), sp(v)
        dots = (q @ k.transpose(-1, -2)) * d ** -0.5
        pos = torch.arange(t)
        causal = F.pad(pos[:, None] < pos[None, :], (1, 0), value=False)           # [t, 1 + t]
        dots = dots.masked_fill(causal[None, None], float("-inf"))
        if input_mask is not None:
            padded = F.pad(input_mask > 0, (1, 0), value=False)                    # [b, 1 + t]
            dots = dots.masked_fill(padded[:, None, None, :], float("-inf"))
        out = (dots.softmax(-1) @ v).transpose(1, 2).reshape(b, t, d)
        return self.to_out(out)


class PositionwiseFeedForward(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.w_1, self.w_2 = nn.Linear(d, d), nn.Linear(d, d)

    def forward(self, x):
        return self.w_2(self.w_1(x).relu())


class DecoderOnly(nn.Module):
    def __init__(self, dim, heads, eps):
        super().__init__()
        self.docoder = MemoryCompressedAttention(dim, heads)
        self.norm = AnnotatedLayerNorm(dim, eps)
        self.ff = PositionwiseFeedForward(dim)

    def forward(self, x, mask):
        out2 = self.norm(self.docoder(x, mask) + x)
        return self.norm(out2 + self.ff(out2))


class TransformerDecoder(nn.Module):
    def __init__(self, old, dim, heads, max_len, eps):
        super().__init__()
        self.decoder1 = DecoderOnly(dim, heads, eps)
        self.decoder2 = DecoderOnly(dim, heads, eps)
        self.lin1 = nn.Linear(old, dim)
        self.lin2 = nn.Linear(dim, old)
        self.pos_embedding = nn.Parameter(torch.zeros(1, max_len, dim))

    def forward(self, x, mask):
        x = self.lin1(x).relu() + self.pos_embedding
        return self.lin2(self.decoder2(self.decoder1(x, mask), mask))

# ------------------------------------------------------------------ the model


class AVAD(nn.Module):
    def __init__(self, control):
        super().__init__()
        # AVAD_Tiny: frames 2, image 32, offsets 5, steps 4, pca_dim 5, lam 0
        self.frames, self.image, self.offsets, self.steps, self.lam = 2, 32, 5, 4, 0.0
        self.vis_enc = ResNet2d3d([1, 1, 1, 1], 8)
        self.aud_enc = AudioEncoder(8, 64)
        self.transformer = MPAViT(grid=2, dim=64, depth=2, heads=2, dim_head=32, mlp=64, classes=1,
                                  vlen=2, alen=4, act=nn.GELU())
        eps = 1e-3 if control else 1e-6
        self.dist_regressive_model = TransformerDecoder(5, 32, 4, 3, eps)
        self.avfeature_regressive_model = TransformerDecoder(5, 32, 4, 3, eps)

    def forward(self, inp):
        out = {}
        # 1. sync model: clip v against its S candidate audio windows
        sv, sa = inp["sync_video"], inp["sync_audio"]
        V, S = sa.shape[:2]
        feat = self.vis_enc(sv)
        paired = feat[:, None].expand(-1, S, -1, -1, -1, -1).reshape(V * S, *feat.shape[1:])
        cand = self.aud_enc(sa.reshape(V * S, *sa.shape[2:]))
        scores = self.transformer(paired, cand).reshape(V, S)
        out["sync_scores"] = scores
        out["loss_sync"] = F.cross_entropy(scores, inp["sync_target"])

        # 2. detect.py: per step, the clip against each audio offset; the av feature of the centre
        video, audio, mask = inp["video"], inp["audio"], inp["mask"]
        V, T, O = audio.shape[:3]
        sf = self.vis_enc(video.reshape(V * T, *video.shape[2:]))
        af = self.aud_enc(audio.reshape(V * T * O, *audio.shape[3:]))
        pv = sf[:, None].expand(-1, O, -1, -1, -1, -1).reshape(V * T * O, *sf.shape[1:])
        delays = self.transformer(pv, af).reshape(V, T, O)
        out["delay_distributions"] = delays
        centre = af.reshape(V * T, O, *af.shape[1:])[:, O // 2]
        av = self.transformer.av_feature(sf, centre)
        av = ((av - inp["pca_mean"]) @ inp["pca_components"].t()).reshape(V, T, -1)

        # 3. the autoregressive models' errors, averaged over the real steps
        hist = mask[:, :-1]
        logit = F.log_softmax(self.dist_regressive_model(delays[:, :-1], hist), 2)
        target = F.softmax(delays[:, 1:], 2)
        kl = F.kl_div(logit, target, reduction="none").sum(2)
        av_in, av_tgt = F.normalize(av[:, :-1], dim=2), F.normalize(av[:, 1:], dim=2)
        mse = F.mse_loss(self.avfeature_regressive_model(av_in, hist), av_tgt, reduction="none").sum(2)
        valid = (mask[:, 1:] <= 0).float()
        dist_score = (kl * valid).sum(1) / valid.sum(1)
        av_score = (mse * valid).sum(1) / valid.sum(1)
        out["anomaly_score"] = dist_score + self.lam * av_score
        out["loss_delay_nll"] = dist_score.mean()
        out["loss_feature_mse"] = av_score.mean()
        return out


def build(model, control):
    """The reference for `model`; control: the autoregressive models' LayerNorm eps 1e-6 -> 1e-3."""
    return AVAD(control), lambda mod, inp: mod(inp)
