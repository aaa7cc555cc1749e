# AVAD: "Self-Supervised Video Forensics by Audio-Visual Anomaly Detection" (Feng, Chen and
# Owens, CVPR 2023). Manipulated videos are found as anomalies of audio-visual
# synchronisation, learned from real videos only:
#   1. an audio-visual synchronisation model (a 2D/3D ResNet-18 on 5-frame clips, a
#      convolutional audio encoder on log-mel spectrograms, a small transformer over both
#      feature sequences with a class token) scores whether a clip and an audio window are in
#      sync; it is trained contrastively in two phases: negatives from other videos, then
#      time-shifted audio of the same video;
#   2. for every clip position of a video the sync model scores 31 audio offsets (-15 .. +15
#      frames): a time-delay distribution per step; it also gives an audio-visual feature
#      (the max-pooled embedded video and audio features, 1,024-d, reduced to 31 by a PCA
#      fitted on real videos);
#   3. two autoregressive models (decoder-only transformers with causal attention) learn, on
#      real videos, to predict each step's delay distribution (KL) and feature (MSE) from the
#      previous steps; a video's anomaly score is how badly they predict it.
#
# Follows the official code (cfeng16/audio-visual-forensics: `detect.py`, `model.py`
# `MP_AViT` and `MP_av_feature_AViT`, `backbone/resnet_2d3d.py` `resnet18_2d3d`,
# `audio_process.py` `AudioEncoder`, `transformer_component.py` `transformer_decoder`), at its
# released sizes: clips of 5 frames at 224, 80 x 20 spectrograms, transformer dim 512, depth
# 3, 4 heads of 128, MLP 512; autoregressive models of width 256, 16 heads, 2 layers, over
# 50 steps. As the code does, the embedded video features [b, 512, 5] are *reshaped* (not
# transposed) to [b, 5, 512] tokens, and the audio features likewise.
#
# What is outside the graph: cutting a video into the 50 clip windows and the 31 shifted
# audio windows (data preparation: `video`, `audio` are inputs), and the PCA (fitted offline
# on real videos' features; its components and mean are inputs). The official detection
# weights the feature branch by `--lam` (0 by default).
#
# Names follow the official modules: `vis_enc`, `aud_enc`, `transformer` (the sync model's
# `network`), `dist_regressive_model`, `avfeature_regressive_model`; the ResNet shortcut is a
# `sequential` (`downsample.0` / `downsample.1`), and so are vit-pytorch's Sequentials and
# ModuleLists in the sync transformer (`layers.N.0` / `.N.1`, `fn.to_out.0`, `fn.net.0` /
# `fn.net.3`, `mlp_head.0` / `mlp_head.1`). Exceptions:
# - the av-feature transformer of `detect.py` (`MP_av_feature_AViT`) is loaded from the same
#   weights as `transformer` and uses only its embeddings: here it is `transformer`'s
#   `av_feature` path, with no parameters of its own (its unused copies of the layers and
#   head are not declared).
# `MemoryCompressedAttention.compress_fn.conv` (a grouped Conv1d) exists in the checkpoint
# but is unused at compression factor 1; it is declared (so the state dict maps) and applied
# only when `compression > 1`.

import { Linear, LayerNorm, Activation, Act, Dropout } from "std/nn/layers.mm"
import { Conv3d } from "std/towers/c3d.mm"
import { BatchNorm } from "std/towers/resnet2d.mm"

# ------------------------------------------------------------------ video encoder (r18 2D/3D)

## `BasicBlock2d` (1x3x3 convolutions) or `BasicBlock3d` (3x3x3), spatial stride only.
block BasicBlock2d3d(inplanes: Int, planes: Int, stride: Int = 1, temporal: Bool = false, project: Bool = false) {
  let kt = if temporal then 3 else 1
  let pt = if temporal then 1 else 0
  conv1 = Conv3d(inplanes, planes, [kt, 3, 3], stride: [1, stride, stride], padding: [pt, 1, 1], bias: false)
  bn1 = BatchNorm(planes)
  conv2 = Conv3d(planes, planes, [kt, 3, 3], padding: [pt, 1, 1], bias: false)
  bn2 = BatchNorm(planes)
  # The projection shortcut: nn.Sequential of a strided 1x1x1 conv and a batch norm.
  downsample = sequential(Conv3d(inplanes, planes, [1, 1, 1], stride: [1, stride, stride], bias: false),
                          BatchNorm(planes)) if project
  forward(x: [B, inplanes, T, H, W]) -> [B, planes, T, (H - 1) // stride + 1, (W - 1) // stride + 1] {
    let out = bn2(conv2(relu(bn1(conv1(x)))))
    if project { return relu(out + downsample(x)) }
    return relu(out + x)
  }
}

## `resnet18_2d3d`: a 1x7x7 stem and max pool, 2D blocks in layer1-2, 3D blocks in layer3-4
## (layer4 keeps the resolution); 5 x 224 x 224 clips give [512, 5, 14, 14].
tower ResNet2d3d(layers: [Int] = [2, 2, 2, 2], width: Int = 64, channels: Int = 3)
  where len(layers) == 4 {
  conv1 = Conv3d(channels, width, [1, 7, 7], stride: [1, 2, 2], padding: [0, 3, 3], bias: false)
  bn1 = BatchNorm(width)
  layer1 = repeat layers[0] BasicBlock2d3d(width, width)
  layer2 = repeat layers[1] as i BasicBlock2d3d(if i == 0 then width else 2 * width, 2 * width,
                                                stride: if i == 0 then 2 else 1, project: i == 0)
  layer3 = repeat layers[2] as i BasicBlock2d3d(if i == 0 then 2 * width else 4 * width, 4 * width,
                                                stride: if i == 0 then 2 else 1, temporal: true, project: i == 0)
  layer4 = repeat layers[3] as i BasicBlock2d3d(if i == 0 then 4 * width else 8 * width, 8 * width,
                                                temporal: true, project: i == 0)
  forward(clips: [B, channels, T, Height, Width])
    -> [B, 8 * width, T, ((Height - 1) // 2) // 2 // 2 // 2 + 1, ((Width - 1) // 2) // 2 // 2 // 2 + 1] {
    let x = max_pool3d(relu(bn1(conv1(clips))), [1, 3, 3], stride: [1, 2, 2], padding: [0, 1, 1])
    return layer4(layer3(layer2(layer1(x))))
  }
}

# ------------------------------------------------------------------ audio encoder

## A 2-D convolution with rectangular kernel, stride and padding ([height, width] pairs).
block Conv2dRect(in_channels: Int, out_channels: Int, kernel: [Int], stride: [Int] = [1, 1],
                 padding: [Int] = [0, 0])
  where len(kernel) == 2, len(stride) == 2, len(padding) == 2 {
  param weight: [out_channels, in_channels, kernel[0], kernel[1]] init kaiming_uniform
  param bias: [out_channels] init zeros
  forward(x: [B, in_channels, H, W]) -> [B, out_channels, (H + 2 * padding[0] - kernel[0]) // stride[0] + 1,
                                         (W + 2 * padding[1] - kernel[1]) // stride[1] + 1] {
    return conv2d(x, weight, bias, stride: stride, padding: padding)
  }
}

## `AudioEncoder`: seven convolutions over a [1, 80 mel, 20 frame] log-mel
## spectrogram, down to one row of 4 steps: [B, 512, 4].
tower AudioEncoder(width: Int = 64, out: Int = 512) {
  conv1 = Conv2dRect(1, width, [3, 3], stride: [2, 1], padding: [1, 1])
  bn1 = BatchNorm(width)
  conv2 = Conv2dRect(width, 3 * width, [3, 3], padding: [1, 1])
  bn2 = BatchNorm(3 * width)
  conv3 = Conv2dRect(3 * width, 6 * width, [3, 3], padding: [1, 1])
  bn3 = BatchNorm(6 * width)
  conv4 = Conv2dRect(6 * width, 4 * width, [3, 3], padding: [1, 1])
  bn4 = BatchNorm(4 * width)
  conv5 = Conv2dRect(4 * width, 4 * width, [3, 3], padding: [1, 1])
  bn5 = BatchNorm(4 * width)
  conv6 = Conv2dRect(4 * width, out, [4, 3], padding: [0, 1])
  bn6 = BatchNorm(out)
  conv7 = Conv2dRect(out, out, [1, 1])
  forward(spectrogram: [B, 1, 80, F]) -> [B, out, ((F - 3) // 2 - 2) // 2 + 1] {
    let x = max_pool2d(relu(bn1(conv1(spectrogram))), [3, 1], stride: [2, 1])
    x = max_pool2d(relu(bn2(conv2(x))), [3, 3], stride: [2, 2])
    x = relu(bn3(conv3(x)))
    x = relu(bn4(conv4(x)))
    x = max_pool2d(relu(bn5(conv5(x))), [2, 3], stride: [2, 2])
    return squeeze(conv7(relu(bn6(conv6(x)))), 2)
  }
}

# ------------------------------------------------------------------ sync transformer (MP_AViT)

## vit-pytorch's `Attention`: packed bias-free `to_qkv`, heads of `dim_head`, `to_out`
## (nn.Sequential(Linear, Dropout)).
block AViTAttention(dim: Int, heads: Int, dim_head: Int) {
  let inner = heads * dim_head
  to_qkv = Linear(dim, 3 * inner, bias: false)
  to_out = sequential(Linear(inner, dim), Dropout(0.0))
  forward(x: [B, T, dim]) -> [B, T, dim] {
    let (q, k, v) = split(to_qkv(x), [inner, inner, inner], axis: -1)
    return to_out(attention(q, k, v, heads: heads))
  }
}

## vit-pytorch's `FeedForward`: nn.Sequential(Linear, GELU, Dropout, Linear, Dropout).
block AViTFeedForward(dim: Int, hidden: Int) {
  net = sequential(Linear(dim, hidden), Activation(Act.gelu), Dropout(0.0), Linear(hidden, dim), Dropout(0.0))
  forward(x: [B, T, dim]) -> [B, T, dim] {
    return net(x)
  }
}

## vit-pytorch's `PreNorm(dim, Attention)`, with the residual that its `Transformer.forward`
## adds (`x = attn(x) + x`), so that a layer is a plain sequence.
block PreNormAttention(dim: Int, heads: Int, dim_head: Int) {
  norm = LayerNorm(dim)
  fn = AViTAttention(dim, heads, dim_head)
  forward(x: [B, T, dim]) -> [B, T, dim] {
    return fn(norm(x)) + x
  }
}

## `PreNorm(dim, FeedForward)` with its residual (`x = ff(x) + x`).
block PreNormFeedForward(dim: Int, hidden: Int) {
  norm = LayerNorm(dim)
  fn = AViTFeedForward(dim, hidden)
  forward(x: [B, T, dim]) -> [B, T, dim] {
    return fn(norm(x)) + x
  }
}

## vit-pytorch's `Transformer`: a ModuleList of [PreNorm(Attention), PreNorm(FeedForward)].
block AViTTransformer(dim: Int, depth: Int, heads: Int, dim_head: Int, hidden: Int) {
  layers = repeat depth sequential(PreNormAttention(dim, heads, dim_head), PreNormFeedForward(dim, hidden))
  forward(x: [B, T, dim]) -> [B, T, dim] {
    return layers(x)
  }
}

## `MP_AViT`: the sync score of a clip's video features [b, dim, frames, grid, grid] and an
## audio window's features [b, dim, steps]: learned spatial positions, spatial max pooling,
## temporal and modality embeddings, [cls, audio, video] tokens through the transformer, the
## class token through `mlp_head`. `av_feature` is `MP_av_feature_AViT`'s output: the
## embedded video and audio features max-pooled over time, concatenated ([b, 2 dim]).
fusion MPAViT(grid: Int = 14, dim: Int = 512, depth: Int = 3, heads: Int = 4, dim_head: Int = 128,
              hidden: Int = 512, classes: Int = 1, max_visual_len: Int = 5, max_audio_len: Int = 4) {
  param pos_embedding: [1, dim, 1, grid, grid] init normal(std: 1.0)
  param visual_modality_embeding: [1, dim, 1] init normal(std: 1.0)
  param audio_modality_embeding: [1, dim, 1] init normal(std: 1.0)
  param temporal_visual_embedding: [1, dim, max_visual_len] init normal(std: 1.0)
  param temporal_audio_embedding: [1, dim, max_audio_len] init normal(std: 1.0)
  param cls_token: [1, 1, dim] init normal(std: 1.0)
  transformer = AViTTransformer(dim, depth, heads, dim_head, hidden)
  mlp_head = sequential(LayerNorm(dim), Linear(dim, classes))
  forward(video: [B, dim, Tv, grid, grid], audio: [B, dim, Ta], av_feature: Bool = false)
    -> [B, O] {
    let v = max(video + pos_embedding, [3, 4])                                   # [b, dim, Tv]
    v = v + temporal_visual_embedding[:, :, 0:Tv] + visual_modality_embeding
    let a = audio + temporal_audio_embedding[:, :, 0:Ta] + audio_modality_embeding
    # the official code reshapes (not transposes) [b, dim, t] to [b, t, dim]
    let v_tokens = reshape(v, [B, Tv, dim])
    let a_tokens = reshape(a, [B, Ta, dim])
    if av_feature {
      # MP_av_feature_AViT: back to [b, dim, t] by a transpose, then max over t
      return concat([max(transpose(v_tokens, 1, 2), [2]), max(transpose(a_tokens, 1, 2), [2])], axis: 1)
    }
    let x = concat([expand(cls_token, [B, 1, dim]), a_tokens, v_tokens], axis: 1)
    return mlp_head(transformer(x)[:, 0])
  }
}

# ------------------------------------------------------------------ autoregressive model

## The Annotated Transformer's LayerNorm (`a_2`, `b_2`): (x - mean) / (std + eps) with the
## unbiased standard deviation.
block AnnotatedLayerNorm(features: Int, eps: Float = 1e-6) where features >= 2 {
  param a_2: [features] init ones
  param b_2: [features] init zeros
  forward(x: [..., features]) -> [..., features] {
    let centred = x - mean(x, [-1], keepdim: true)
    let std = sqrt(sum(centred * centred, [-1], keepdim: true) / (features - 1))
    return a_2 * centred / (std + eps) + b_2
  }
}

## nn.Conv1d(dim, dim, ratio, stride = ratio, groups), over [b, dim, t].
block GroupedConv1d(dim: Int, ratio: Int, groups: Int) where dim % groups == 0 {
  param weight: [dim, dim / groups, ratio] init kaiming_uniform
  param bias: [dim] init zeros
  forward(x: [B, dim, T]) -> [B, dim, T // ratio] {
    return conv1d(x, weight, bias, stride: ratio, groups: groups)
  }
}

## `ConvCompress`: its `conv` over [b, t, dim], transposed in and out.
block ConvCompress(dim: Int, ratio: Int, groups: Int) {
  conv = GroupedConv1d(dim, ratio, groups)
  forward(mem: [B, T, dim]) -> [B, T // ratio, dim] {
    return transpose(conv(transpose(mem, 1, 2)), 1, 2)
  }
}

## `MemoryCompressedAttention` (causal): a learned null key and value in front, keys (and
## values) optionally compressed by a strided convolution, padded keys masked (`input_mask`
## is 1 at padding). The scores are scaled by dim ** -0.5 (the model width, not the head's),
## as the code does.
block MemoryCompressedAttention(dim: Int, heads: Int, compression: Int = 1) where dim % heads == 0 {
  compress_fn = ConvCompress(dim, compression, heads)
  to_qkv = Linear(dim, 3 * dim, bias: false)
  to_out = Linear(dim, dim)
  param null_k: [1, 1, dim] init zeros
  param null_v: [1, 1, dim] init zeros
  forward(x: [B, T, dim], input_mask: [B, T] = none) -> [B, T, dim] {
    let (q, k, v) = split(to_qkv(x), [dim, dim, dim], axis: -1)
    if compression > 1 {
      k = compress_fn(k)
      v = compress_fn(v)
    }
    k = concat([expand(null_k, [B, 1, dim]), k], axis: 1)
    v = concat([expand(null_v, [B, 1, dim]), v], axis: 1)
    # query i sees the null slot and keys j <= i (compression 1)
    let key_pos = unsqueeze(arange(T), 0)
    let visible = concat([ones([T, 1], dtype: "bool"), le(key_pos, unsqueeze(arange(T), 1))], axis: 1)   # [T, 1 + T]
    let allowed = unsqueeze(unsqueeze(visible, 0), 0)                                  # [1, 1, T, 1 + T]
    if input_mask != none {
      let real = concat([ones([B, 1], dtype: "bool"), eq(input_mask, 0)], axis: 1)     # [B, 1 + T]
      allowed = logical_and(allowed, reshape(real, [B, 1, 1, T + 1]))
    }
    return to_out(attention(q, k, v, mask: allowed, heads: heads, scale: dim ** -0.5))
  }
}

## The Annotated Transformer's `PositionwiseFeedForward`: w_2(relu(w_1(x))).
block PositionwiseFeedForward(d_model: Int, d_ff: Int) {
  w_1 = Linear(d_model, d_ff)
  w_2 = Linear(d_ff, d_model)
  forward(x: [..., d_model]) -> [..., d_model] {
    return w_2(relu(w_1(x)))
  }
}

## `decoder_only_module`: attention, add & norm, feed-forward, add & norm (one `norm` for both).
block DecoderOnlyModule(dim: Int, heads: Int, compression: Int = 1, drop: Float = 0.1) {
  docoder = MemoryCompressedAttention(dim, heads, compression)
  norm = AnnotatedLayerNorm(dim)
  ff = PositionwiseFeedForward(dim, dim)
  forward(x: [B, T, dim], mask: [B, T] = none) -> [B, T, dim] {
    let out2 = dropout(norm(docoder(x, input_mask: mask) + x), drop)
    return dropout(norm(out2 + ff(out2)), drop)
  }
}

## `transformer_decoder`: lin1 + relu into the model width, learned positions, two decoder
## modules, lin2 back to the input width: the prediction of the next step at every step.
block TransformerDecoder(input_dim_old: Int = 31, input_dim: Int = 256, heads: Int = 16,
                         compression: Int = 1, max_len: Int = 49) {
  lin1 = Linear(input_dim_old, input_dim)
  lin2 = Linear(input_dim, input_dim_old)
  param pos_embedding: [1, max_len, input_dim] init normal(std: 1.0)
  decoder1 = DecoderOnlyModule(input_dim, heads, compression)
  decoder2 = DecoderOnlyModule(input_dim, heads, compression)
  forward(x: [B, max_len, input_dim_old], mask: [B, max_len] = none) -> [B, max_len, input_dim_old] {
    let h = relu(lin1(x)) + pos_embedding
    return lin2(decoder2(decoder1(h, mask: mask), mask: mask))
  }
}

# ------------------------------------------------------------------ the model

## AVAD at the released sizes (r18 2D/3D video encoder, VGG-M audio encoder, 3-layer sync
## transformer, two 2-layer autoregressive models over 50 steps and 31 offsets).
## published: none (the survey gives no figure; follows cfeng16/audio-visual-forensics, detect.py and its released checkpoints)
model AVAD(frames: Int = 5, image: Int = 224, mel_frames: Int = 20, offsets: Int = 31, steps: Int = 50,
           pca_dim: Int = 31, lam: Float = 0.0) {
  vis_enc = ResNet2d3d()
  aud_enc = AudioEncoder()
  transformer = MPAViT(grid: image / 16, max_visual_len: frames, max_audio_len: ((mel_frames - 3) // 2 - 2) // 2 + 1)
  dist_regressive_model = TransformerDecoder(input_dim_old: offsets, max_len: steps - 1)
  avfeature_regressive_model = TransformerDecoder(input_dim_old: pca_dim, max_len: steps - 1)

  ## Sync training: a clip, S candidate audio windows (phase 1: other videos' audio in the
  ## batch; phase 2: shifted windows of its own audio), and the index of the synced one.
  input sync_video: [V, 3, frames, image, image]
  input sync_audio: [V, S, 1, 80, mel_frames]
  input sync_target: [V] int64
  ## Detection (and autoregressive training on real videos): the `steps` clip windows of a
  ## video and, for each, the `offsets` shifted audio windows (offset 15 is in sync);
  ## `mask` is 1 at padded steps.
  input video: [V, steps, 3, frames, image, image]
  input audio: [V, steps, offsets, 1, 80, mel_frames]
  input mask: [V, steps]
  ## The PCA fitted on real videos' audio-visual features (sklearn: components_, mean_).
  input pca_components: [pca_dim, 2 * transformer.dim]
  input pca_mean: [2 * transformer.dim]

  forward {
    # 1. the sync model: each clip against its candidate audio windows
    let clip_features = vis_enc(sync_video)                                            # [V, 512, 5, 14, 14]
    let fv = clip_features.shape
    let paired = reshape(expand(unsqueeze(clip_features, 1), [V, S, fv[1], fv[2], fv[3], fv[4]]),
                         [V * S, fv[1], fv[2], fv[3], fv[4]])
    let candidates = aud_enc(reshape(sync_audio, [V * S, 1, 80, mel_frames]))
    let sync_scores = reshape(transformer(paired, candidates), [V, S])
    output sync_scores: [V, S] = sync_scores
    loss sync = cross_entropy(sync_scores, sync_target)

    # 2. delay distributions and audio-visual features along the video
    let step_features = vis_enc(reshape(video, [V * steps, 3, frames, image, image]))
    let fs = step_features.shape
    let shifted = aud_enc(reshape(audio, [V * steps * offsets, 1, 80, mel_frames]))
    let step_paired = reshape(expand(unsqueeze(step_features, 1), [V * steps, offsets, fs[1], fs[2], fs[3], fs[4]]),
                              [V * steps * offsets, fs[1], fs[2], fs[3], fs[4]])
    let delays = reshape(transformer(step_paired, shifted), [V, steps, offsets])
    let in_sync = index(reshape(shifted, [V * steps, offsets, fs[1], transformer.max_audio_len]), 1, offsets // 2)
    let av = transformer(step_features, in_sync, av_feature: true)                    # [V * steps, 1024]
    let av_pca = reshape((av - pca_mean) @ pca_components.T, [V, steps, pca_dim])
    output delay_distributions: [V, steps, offsets] = delays

    # 3. next-step prediction on the real/test video; the anomaly score is its error
    let history_mask = mask[:, 0:steps - 1]
    let valid = 1.0 - mask[:, 1:]
    let predicted = log_softmax(dist_regressive_model(delays[:, 0:steps - 1], mask: history_mask), axis: 2)
    let target = softmax(delays[:, 1:], axis: 2)
    let dist_error = sum(target * (log(target) - predicted), [2])                     # [V, steps - 1]
    let av_input = normalize(av_pca[:, 0:steps - 1], axis: 2)
    let av_target = normalize(av_pca[:, 1:], axis: 2)
    let av_error = sum((avfeature_regressive_model(av_input, mask: history_mask) - av_target) ** 2.0, [2])
    let dist_score = sum(dist_error * valid, [1]) / sum(valid, [1])
    let av_score = sum(av_error * valid, [1]) / sum(valid, [1])
    output anomaly_score: [V] = dist_score + lam * av_score
    loss delay_nll = mean(dist_score)
    loss feature_mse = mean(av_score)
  }

  task sync_pretrain { losses: sync; inputs: sync_video, sync_audio, sync_target }
  task autoregressive { losses: delay_nll, feature_mse; inputs: video, audio, mask, pca_components, pca_mean }
  task detect { outputs: anomaly_score, delay_distributions; inputs: video, audio, mask, pca_components, pca_mean }
  ## Both sync phases train the whole sync model.
  stage sync_other_videos {
    train: vis_enc, aud_enc, transformer
    freeze: dist_regressive_model, avfeature_regressive_model
    tasks: sync_pretrain
  }
  stage sync_shifted_audio {
    train: vis_enc, aud_enc, transformer
    freeze: dist_regressive_model, avfeature_regressive_model
    tasks: sync_pretrain
  }
  ## The autoregressive models learn real videos' delay and feature sequences; the sync model
  ## is frozen.
  stage anomaly_model {
    train: dist_regressive_model, avfeature_regressive_model
    freeze: vis_enc, aud_enc, transformer
    tasks: autoregressive
  }
}

## AVAD on tiny towers: video encoder width 8 (64 features) with one block per stage on 2 x 32
## x 32 clips, audio encoder width 8 (64 features), sync transformer dim 64 (2 layers, 2 heads
## of 32), autoregressive models of width 32 (4 heads) over 4 steps and 5 offsets.
model AVAD_Tiny = AVAD(frames: 2, image: 32, offsets: 5, steps: 4, pca_dim: 5) with {
  vis_enc.layers = [1, 1, 1, 1]
  vis_enc.width = 8
  aud_enc.width = 8
  aud_enc.out = 64
  transformer.dim = 64
  transformer.depth = 2
  transformer.heads = 2
  transformer.dim_head = 32
  transformer.hidden = 64
  dist_regressive_model.input_dim = 32
  dist_regressive_model.heads = 4
  avfeature_regressive_model.input_dim = 32
  avfeature_regressive_model.heads = 4
}
