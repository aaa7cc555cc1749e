# Meta-Transformer (Zhang et al., 2023): one frozen, shared ViT encoder for twelve
# modalities. Each modality has a tokenizer (Data2Seq) that maps its raw data to a sequence
# of tokens of the encoder's width, and a task head; only tokenizers and heads are trained.
# After the official invictus717/MetaTransformer code: the released encoder checkpoints
# (`Meta-Transformer_base_patch16_encoder.pth`, `..._large_patch14_encoder.pth`) are an
# nn.Sequential of timm ViT blocks (`N.norm1`, `N.attn.qkv`, `N.attn.proj`, `N.norm2`,
# `N.mlp.fc1`, `N.mlp.fc2`), here under `encoder.N`, with no class token, positions or final
# norm of their own (those belong to the tokenizers). The published sizes (85M, 302M) are
# of this encoder alone.
#
# Tokenizers defined here, 6 of the 12 modalities (Data2Seq names, `*_tokenizer.embed.*`):
# - image (also infrared, X-ray, hyperspectral bands: the same patch embedding): a 16x16
#   (14x14) patch Conv2d, a [CLS] token, learned positions;
# - video: a 2x16x16 tubelet Conv3d (the official Video.PatchEmbed passes a 2-D kernel to
#   Conv3d; the two-frame tubelet of the official Video/ fine-tuning code, VideoMAE's, is
#   used here) plus VideoMAE's fixed sinusoid position table (use_learnable_pos_emb=False: a
#   plain tensor, not in the state dict, computed here in the forward), no [CLS];
# - audio: AST's patch embedding of a 128-bin fbank spectrogram (16x16 patches, stride 10),
#   a [CLS] token, learned positions;
# - time series: the DataEmbedding of Time-Series-Library (a bias-free circular Conv1d of
#   width 3 over the values, plus fixed sinusoidal positions: the buffer
#   `position_embedding.pe` [1, 5000, width], of which a series of length L reads the first
#   L rows). Its TemporalEmbedding's fixed tables (`temporal_embedding.{hour,weekday,day,
#   month}_embed.emb.weight`, sinusoids in nn.Parameters with requires_grad=False) are in
#   the state dict and counted as parameters, frozen by the stage; without time marks
#   (x_mark) the forward does not read them;
# - point cloud: Point-MAE's mini-PointNet over grouped neighbourhoods (Encoder: the
#   nn.Sequentials `first_conv` and `second_conv` of Conv1d, BatchNorm1d, ReLU, Conv1d; the
#   official repository has it in PointCloud/openpoints/models/classification/point_bert.py,
#   and its ModelNet40 config uses OpenPoints' PointPatchEmbed of the same kind), plus the
#   position embedding of the group centres, nn.Sequential(Linear(3, 128), GELU,
#   Linear(128, width)), and a [CLS] token with its own position; farthest-point sampling and
#   k-NN grouping are data preparation (the input is already grouped);
# - text: CLIP's BPE vocabulary (the official Data2Seq uses CLIPTokenizer) with a learned
#   token embedding and positions.
# Not defined: graph, tabular, IMU, hyperspectral (own band count), infrared and X-ray (they
# reuse the image tokenizer), remote sensing.
#
# Heads are linear classifiers (ImageNet-1k, AudioSet 527, UCF101, ModelNet40, a 2-way text
# task) and a linear forecaster, each after a LayerNorm (eps 1e-6 for image, timm ViT's norm,
# and video, VideoMAE's fc_norm of the mean token; 1e-5 otherwise). The ModelNet40 loss is
# OpenPoints' SmoothCrossEntropy with label smoothing 0.2 (cfgs/modelnet40ply2048/
# metatransformer.yaml), whose off-class targets are eps / (C - 1), not PyTorch's eps / C.
# Buffers (saved with the weights, never trained, not counted as parameters): BatchNorm's
# running statistics (std/towers/resnet2d.mm), as PyTorch keeps them, and the time-series
# position table.

import "std/nn/layers.mm"
import "std/nn/mlp.mm"
import { QKVAttention } from "std/nn/attention.mm"
import { BatchNorm } from "std/towers/resnet2d.mm"

# ---------------------------------------------------------------------------------------
# The shared encoder (timm ViT blocks)

block MetaBlock(width: Int, heads: Int, mlp_ratio: Int = 4) {
  norm1 = LayerNorm(width)
  attn = QKVAttention(width, heads)
  norm2 = LayerNorm(width)
  mlp = MLP(width, mlp_ratio * width)
  forward(x: [B, T, width]) -> [B, T, width] {
    x = x + attn(norm1(x))
    return x + mlp(norm2(x))
  }
}

# ---------------------------------------------------------------------------------------
# Tokenizers (Data2Seq)

block Conv2dPatches(in_channels: Int, width: Int, kernel: Int, stride: Int = kernel) {
  param weight: [width, in_channels, kernel, kernel] init kaiming_uniform
  param bias: [width] init zeros
  forward(x: [B, in_channels, H, W]) -> [B, ((H - kernel) // stride + 1) * ((W - kernel) // stride + 1), width] {
    return flatten(conv2d(x, weight, bias, stride: stride), start: 2).T
  }
}

block Conv3dPatches(in_channels: Int, width: Int, tubelet: Int, kernel: Int) {
  param weight: [width, in_channels, tubelet, kernel, kernel] init kaiming_uniform
  param bias: [width] init zeros
  forward(x: [B, in_channels, F, H, W]) -> [B, (F // tubelet) * (H // kernel) * (W // kernel), width] {
    return flatten(conv3d(x, weight, bias, stride: [tubelet, kernel, kernel]), start: 2).T
  }
}

block PatchEmbed2d(in_channels: Int, width: Int, kernel: Int, stride: Int = kernel) {
  proj = Conv2dPatches(in_channels, width, kernel, stride)
  forward(x: [B, in_channels, H, W]) -> [B, N, width] {
    return proj(x)
  }
}

## Image (and infrared, X-ray) tokens: patches, a [CLS] token, learned positions.
block ImageTokenizer(image: Int, patch: Int, width: Int, channels: Int = 3) where image % patch == 0 {
  let patches = (image / patch) ** 2
  embed = PatchEmbed2d(channels, width, patch)
  param cls_token: [1, 1, width] init trunc_normal(std: 0.02)
  param pos_embed: [1, patches + 1, width] init trunc_normal(std: 0.02)
  forward(pixels: [B, channels, image, image]) -> [B, patches + 1, width] {
    return concat([expand(cls_token, [B, 1, width]), embed(pixels)], axis: 1) + pos_embed
  }
}

block VideoPatchEmbed(width: Int, tubelet: Int, kernel: Int) {
  proj = Conv3dPatches(3, width, tubelet, kernel)
  forward(x: [B, 3, F, H, W]) -> [B, N, width] {
    return proj(x)
  }
}

## Video tokens: tubelets plus VideoMAE's fixed sinusoid positions
## (get_sinusoid_encoding_table: channel j of token t is sin(t / 10000^(2 (j // 2) / width))
## for even j, cos for odd j). VideoMAE keeps the table as a plain tensor, outside the state
## dict, so it is computed here, not stored.
block VideoTokenizer(frames: Int, image: Int, patch: Int, width: Int, tubelet: Int = 2)
  where frames % tubelet == 0, image % patch == 0, width % 2 == 0 {
  let tokens = (frames / tubelet) * (image / patch) ** 2
  embed = VideoPatchEmbed(width, tubelet, patch)
  forward(video: [B, 3, frames, image, image]) -> [B, tokens, width] {
    let t = unsqueeze(cast(arange(tokens), "float32"), 1)                                # [tokens, 1]
    let freq = exp(cast(arange(width / 2), "float32") * (-2.0 * log(10000.0) / width))    # [width / 2]
    let angle = t * freq
    let table = reshape(concat([unsqueeze(sin(angle), 2), unsqueeze(cos(angle), 2)], axis: 2), [tokens, width])
    return embed(video) + table
  }
}

## Audio tokens (AST): overlapping 16x16 patches of a fbank spectrogram, [CLS], positions.
block AudioTokenizer(mel_bins: Int, frames: Int, width: Int, kernel: Int = 16, stride: Int = 10) {
  let patches = ((mel_bins - kernel) // stride + 1) * ((frames - kernel) // stride + 1)
  embed = PatchEmbed2d(1, width, kernel, stride)
  param cls_token: [1, 1, width] init trunc_normal(std: 0.02)
  param pos_embed: [1, patches + 1, width] init trunc_normal(std: 0.02)
  forward(fbank: [B, 1, mel_bins, frames]) -> [B, patches + 1, width] {
    return concat([expand(cls_token, [B, 1, width]), embed(fbank)], axis: 1) + pos_embed
  }
}

## Time-Series-Library's PositionalEmbedding: the fixed sinusoid table (sin on even
## channels, cos on odd) registered as the buffer `pe`; a sequence of length L reads its first
## L rows (L <= max_len).
block PositionalEmbedding(width: Int, max_len: Int = 5000) where width % 2 == 0 {
  buffer pe: [1, max_len, width] init sinusoid
  forward(_x: [B, L, ...]) -> [1, L, width] {
    return pe[:, 0:L]
  }
}

## Time-Series-Library's FixedEmbedding: an nn.Embedding whose weight is a fixed sinusoid
## table (an nn.Parameter with requires_grad=False: in the state dict, never updated).
block FixedTable(count: Int, width: Int) {
  param weight: [count, width] init sinusoid
  forward(ids: [...] int64) -> [..., width] {
    return embedding(ids, weight)
  }
}

block FixedEmbedding(count: Int, width: Int) where width % 2 == 0 {
  emb = FixedTable(count, width)
  forward(ids: [...] int64) -> [..., width] {
    return stop_gradient(emb(ids))
  }
}

## Time-Series-Library's TemporalEmbedding (embed_type "fixed", freq "h"): time marks
## [month, day, weekday, hour] per step, each looked up in a fixed table.
block TemporalEmbedding(width: Int) {
  hour_embed = FixedEmbedding(24, width)
  weekday_embed = FixedEmbedding(7, width)
  day_embed = FixedEmbedding(32, width)
  month_embed = FixedEmbedding(13, width)
  forward(x_mark: [B, L, 4]) -> [B, L, width] {
    let m = cast(x_mark, "int64")
    return hour_embed(m[:, :, 3]) + weekday_embed(m[:, :, 2]) + day_embed(m[:, :, 1]) + month_embed(m[:, :, 0])
  }
}

## A bias-free Conv1d of width 3 with circular padding (one step each side).
block CircularConv1d(in_channels: Int, out_channels: Int) {
  param weight: [out_channels, in_channels, 3] init kaiming_normal
  forward(x: [B, in_channels, L]) -> [B, out_channels, L] {
    let padded = concat([x[:, :, L - 1:], x, x[:, :, 0:1]], axis: 2)
    return conv1d(padded, weight)
  }
}

block TokenEmbedding(c_in: Int, width: Int) {
  tokenConv = CircularConv1d(c_in, width)
  forward(x: [B, L, c_in]) -> [B, L, width] {
    return tokenConv(x.T).T
  }
}

## Time-Series-Library's DataEmbedding: values, plus the positions, plus the time marks'
## embedding when there are marks (x_mark).
block DataEmbedding(c_in: Int, width: Int) {
  value_embedding = TokenEmbedding(c_in, width)
  position_embedding = PositionalEmbedding(width)
  temporal_embedding = TemporalEmbedding(width)
  forward(x: [B, L, c_in], x_mark: [B, L, 4] = none) -> [B, L, width] {
    if x_mark == none {
      return value_embedding(x) + position_embedding(x)
    }
    return value_embedding(x) + temporal_embedding(x_mark) + position_embedding(x)
  }
}

## Time-series tokens: one token per time step.
block TimeSeriesTokenizer(width: Int, c_in: Int = 1) {
  embed = DataEmbedding(c_in, width)
  forward(series: [B, L, c_in]) -> [B, L, width] {
    return embed(series)
  }
}

## A pointwise (kernel 1) Conv1d.
block PointConv(in_channels: Int, out_channels: Int) {
  param weight: [out_channels, in_channels, 1] init kaiming_uniform
  param bias: [out_channels] init zeros
  forward(x: [N, in_channels, L]) -> [N, out_channels, L] {
    return conv1d(x, weight, bias)
  }
}

## Point-MAE's mini-PointNet (Encoder): per-point features, max-pooled per group, twice.
## `first_conv` and `second_conv` are nn.Sequentials of Conv1d, BatchNorm1d, ReLU, Conv1d
## (`first_conv.0`, `.1`, `.3`).
block MiniPointNet(width: Int, hidden: Int = 128, mid: Int = 256, wide: Int = 512) {
  first_conv = sequential(PointConv(3, hidden), BatchNorm(hidden), Activation(Act.relu), PointConv(hidden, mid))
  second_conv = sequential(PointConv(2 * mid, wide), BatchNorm(wide), Activation(Act.relu), PointConv(wide, width))
  forward(groups: [N, K, 3]) -> [N, width] {
    let f = first_conv(groups.T)                                                # [N, mid, K]
    let g = max(f, [2], keepdim: true)                                          # [N, mid, 1]
    let h = concat([expand(g, [N, mid, K]), f], axis: 1)                        # [N, 2 mid, K]
    return max(second_conv(h), [2])
  }
}

## Point-cloud tokens: a mini-PointNet per group (relative coordinates), plus Point-MAE's
## embedding of the group centre (nn.Sequential(Linear, GELU, Linear): `pos_embed.0`,
## `pos_embed.2`), after a [CLS] token with its own position.
block PointTokenizer(groups: Int, group_size: Int, width: Int, pos_hidden: Int = 128) {
  embed = MiniPointNet(width)
  pos_embed = sequential(Linear(3, pos_hidden), Activation(Act.gelu), Linear(pos_hidden, width))
  param cls_token: [1, 1, width] init trunc_normal(std: 0.02)
  param cls_pos: [1, 1, width] init trunc_normal(std: 0.02)
  forward(neighborhood: [B, groups, group_size, 3], center: [B, groups, 3]) -> [B, groups + 1, width] {
    let tokens = reshape(embed(reshape(neighborhood, [B * groups, group_size, 3])), [B, groups, width])
    let x = concat([expand(cls_token, [B, 1, width]), tokens], axis: 1)
    let pos = concat([expand(cls_pos, [B, 1, width]), pos_embed(center)], axis: 1)
    return x + pos
  }
}

## Text tokens: CLIP's BPE ids embedded, with learned positions.
block TextTokenizer(width: Int, vocab: Int = 49_408, context: Int = 77) {
  token_embedding = Embedding(vocab, width)
  param positional_embedding: [context, width] init normal(std: 0.01)
  forward(text: [B, context] int64) -> [B, context, width] {
    return token_embedding(text) + positional_embedding
  }
}

# ---------------------------------------------------------------------------------------
# Heads

## LayerNorm and a linear classifier on the first ([CLS]) or the mean token.
head ClsHead(width: Int, classes: Int, pool_cls: Bool = true, eps: Float = 1e-5) {
  norm = LayerNorm(width, eps: eps)
  head = Linear(width, classes)
  forward(x: [B, T, width]) -> [B, classes] {
    let pooled = if pool_cls then x[:, 0] else mean(x, [1])
    return head(norm(pooled))
  }
}

## LayerNorm and a linear map from all `length` time-step tokens to `horizon` values.
head ForecastHead(width: Int, length: Int, horizon: Int) {
  norm = LayerNorm(width)
  head = Linear(length * width, horizon)
  forward(x: [B, length, width]) -> [B, horizon] {
    return head(flatten(norm(x), start: 1))
  }
}

## OpenPoints' SmoothCrossEntropy (PointCloud/openpoints/loss/build.py): the target is
## 1 - label_smoothing on the labelled class and label_smoothing / (C - 1) on each other class
## (PyTorch's label_smoothing spreads eps / C over all classes instead).
loss SmoothCrossEntropy(classes: Int, label_smoothing: Float = 0.2) where classes > 1 {
  forward(logits: [N, classes], labels: [N] int64) -> [] {
    let on = one_hot(labels, classes)
    let target = on * (1.0 - label_smoothing) + (1.0 - on) * (label_smoothing / (classes - 1))
    return mean(-sum(target * log_softmax(logits, axis: 1), [1]))
  }
}

# ---------------------------------------------------------------------------------------
# Models

## Meta-Transformer with the ViT-B/16 encoder (12 blocks, 768 wide, 12 heads).
## published: 85M of encoder (the shared encoder alone, 12 timm ViT-B blocks:
## 85.05M here; the released Meta-Transformer-B16 encoder checkpoint)
model MetaTransformer_B16(width: Int = 768, depth: Int = 12, heads: Int = 12, patch: Int = 16,
                          image: Int = 224, frames: Int = 8, mel_bins: Int = 128, audio_frames: Int = 1024,
                          groups: Int = 64, group_size: Int = 32, vocab: Int = 49_408, context: Int = 77,
                          series: Int = 96, horizon: Int = 96,
                          image_classes: Int = 1000, audio_classes: Int = 527, video_classes: Int = 101,
                          point_classes: Int = 40, text_classes: Int = 2) {
  image_tokenizer = ImageTokenizer(image, patch, width)
  video_tokenizer = VideoTokenizer(frames, image, patch, width)
  audio_tokenizer = AudioTokenizer(mel_bins, audio_frames, width)
  time_series_tokenizer = TimeSeriesTokenizer(width)
  point_tokenizer = PointTokenizer(groups, group_size, width)
  text_tokenizer = TextTokenizer(width, vocab, context)

  encoder = repeat depth MetaBlock(width, heads)

  image_head = ClsHead(width, image_classes, eps: 1e-6)
  video_head = ClsHead(width, video_classes, pool_cls: false, eps: 1e-6)
  audio_head = ClsHead(width, audio_classes)
  time_series_head = ForecastHead(width, series, horizon)
  point_head = ClsHead(width, point_classes)
  text_head = ClsHead(width, text_classes, pool_cls: false)
  point_criterion = SmoothCrossEntropy(point_classes, label_smoothing: 0.2)

  input image_pixels: [B, 3, image, image]
  input image_labels: [B] int64
  input video: [B, 3, frames, image, image]
  input video_labels: [B] int64
  input audio_fbank: [B, 1, mel_bins, audio_frames]
  input audio_labels: [B, audio_classes]                 # multi-label (AudioSet)
  input series_values: [B, series, 1]
  input series_future: [B, horizon]
  input point_neighborhood: [B, groups, group_size, 3]
  input point_center: [B, groups, 3]
  input point_labels: [B] int64
  input text_ids: [B, context] int64
  input text_labels: [B] int64

  forward {
    let image_logits = image_head(encoder(image_tokenizer(image_pixels)))
    let video_logits = video_head(encoder(video_tokenizer(video)))
    let audio_logits = audio_head(encoder(audio_tokenizer(audio_fbank)))
    let forecast = time_series_head(encoder(time_series_tokenizer(series_values)))
    let point_logits = point_head(encoder(point_tokenizer(point_neighborhood, point_center)))
    let text_logits = text_head(encoder(text_tokenizer(text_ids)))

    output image_logits = image_logits
    output video_logits = video_logits
    output audio_logits = audio_logits
    output forecast = forecast
    output point_logits = point_logits
    output text_logits = text_logits

    loss image_cls = cross_entropy(image_logits, image_labels)
    loss video_cls = cross_entropy(video_logits, video_labels)
    loss audio_cls = binary_cross_entropy_with_logits(audio_logits, audio_labels)
    loss forecasting = mse(forecast, series_future)
    loss point_cls = point_criterion(point_logits, point_labels)
    loss text_cls = cross_entropy(text_logits, text_labels)
  }

  task image_classification { outputs: image_logits; losses: image_cls; inputs: image_pixels, image_labels }
  task video_recognition { outputs: video_logits; losses: video_cls; inputs: video, video_labels }
  task audio_classification { outputs: audio_logits; losses: audio_cls; inputs: audio_fbank, audio_labels }
  task time_series_forecasting { outputs: forecast; losses: forecasting; inputs: series_values, series_future }
  task point_classification { outputs: point_logits; losses: point_cls
                              inputs: point_neighborhood, point_center, point_labels }
  task text_classification { outputs: text_logits; losses: text_cls; inputs: text_ids, text_labels }

  ## The shared encoder stays frozen (and the time-series tokenizer's fixed temporal tables);
  ## each modality trains its tokenizer and head.
  stage finetune {
    freeze: encoder, time_series_tokenizer.embed.temporal_embedding
    tasks: image_classification, video_recognition, audio_classification, time_series_forecasting,
           point_classification, text_classification
  }
}

## Meta-Transformer with the ViT-L/14 encoder (24 blocks, 1024 wide, 16 heads).
## published: 302M of encoder (the shared encoder alone, 24 timm ViT-L blocks:
## 302.31M here; the released Meta-Transformer-L14 encoder checkpoint)
model MetaTransformer_L14 = MetaTransformer_B16(width: 1024, depth: 24, heads: 16, patch: 14)

model MetaTransformer_B16_Tiny = MetaTransformer_B16(width: 64, depth: 2, heads: 4, patch: 8, image: 32,
                                                     frames: 4, mel_bins: 26, audio_frames: 36, groups: 8,
                                                     group_size: 8, vocab: 1000, context: 16, series: 16,
                                                     horizon: 8, image_classes: 10, audio_classes: 12,
                                                     video_classes: 10, point_classes: 10) with {
  point_tokenizer.embed.hidden = 32
  point_tokenizer.embed.mid = 32
  point_tokenizer.embed.wide = 64
  point_tokenizer.pos_hidden = 32
}

model MetaTransformer_L14_Tiny = MetaTransformer_L14(width: 48, depth: 2, heads: 4, patch: 8, image: 32,
                                                     frames: 4, mel_bins: 26, audio_frames: 36, groups: 8,
                                                     group_size: 8, vocab: 1000, context: 16, series: 16,
                                                     horizon: 8, image_classes: 10, audio_classes: 12,
                                                     video_classes: 10, point_classes: 10) with {
  point_tokenizer.embed.hidden = 32
  point_tokenizer.embed.mid = 32
  point_tokenizer.embed.wide = 64
  point_tokenizer.pos_hidden = 32
}
