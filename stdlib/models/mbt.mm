# MBT, the Multimodal Bottleneck Transformer (Nagrani et al., NeurIPS 2021), after the official
# scenic code (scenic/projects/mbt/model.py) and its MBT-B/16x2 AudioSet config
# (configs/audioset/balanced_audioset_base.py): one ViT-B per modality, RGB frames (32 frames
# of 224x224, 2x16x16 tubelets: 16 x 14 x 14 = 3136 tokens) and a log-mel spectrogram (8 s of
# 100 frames x 128 mel bins, tiled to 3 channels, 16x16 patches: 50 x 8 = 400 tokens);
# fusion through 4 bottleneck tokens from layer 8 of 12; global average pooling ('gap') over
# all tokens of both modalities after a shared final LayerNorm; 527 AudioSet classes, sigmoid
# cross-entropy with label smoothing 0.3.
#
# Names: scenic's where it has its own modules (`embedding`, `embedding_spectrogram`,
# `posembed_input.pos_embedding`, `posembed_input_spectrogram.pos_embedding`, `encoder_norm`,
# `output_projection`), and Hugging Face ViT-B/16's inside the layers (see
# fusion/bottleneck.mm). Exceptions: scenic's `Transformer/encoderblock_{i}` and
# `Transformer/encoderblock_{i}_spectrogram` are `encoder.rgb.{i}` and
# `encoder.spectrogram.{i}`; its root `bottleneck` is `encoder.bottleneck`; the posembeds sit at
# the root rather than under `Transformer`. Kernels are in PyTorch's layout ([out, in, ...]),
# not Flax's.

import "std/nn/layers.mm"
import "std/towers/c3d.mm"
import "std/towers/resnet2d.mm"
import "std/fusion/bottleneck.mm"

## scenic's (ViT's) AddPositionEmbs: a learned position embedding added to the tokens.
block AddPositionEmbs(tokens: Int, width: Int) {
  param pos_embedding: [1, tokens, width] init normal(std: 0.02)
  forward(x: [B, tokens, width]) -> [B, tokens, width] {
    return x + pos_embedding
  }
}

## MBT-B/16x2 on AudioSet (RGB + spectrogram, bottleneck fusion from layer 8). The computed
## 175,005,455 (175.01M) counts both modality embeddings and position embeddings, 2 x 12 ViT-B
## layers, the 4 bottleneck tokens, encoder_norm and the 527-class output_projection.
## published: none (no figure in models.md, the paper or scenic's README; computed 175.01M for scenic's MBT-B/16x2 AudioSet config)
model MBT(frames: Int = 32, image: Int = 224, tubelet: Int = 2, patch: Int = 16,
          spec_time: Int = 800, spec_mel: Int = 128, width: Int = 768, depth: Int = 12,
          heads: Int = 12, fusion_layer: Int = 8, bottlenecks: Int = 4, num_classes: Int = 527,
          label_smoothing: Float = 0.3)
  where frames % tubelet == 0, image % patch == 0, spec_time % patch == 0, spec_mel % patch == 0 {
  let rgb_tokens = (frames / tubelet) * (image / patch) ** 2
  let spectrogram_tokens = (spec_time / patch) * (spec_mel / patch)
  embedding = Conv3d(3, width, [tubelet, patch, patch], stride: [tubelet, patch, patch])
  embedding_spectrogram = Conv2d(3, width, patch, stride: patch)
  posembed_input = AddPositionEmbs(rgb_tokens, width)
  posembed_input_spectrogram = AddPositionEmbs(spectrogram_tokens, width)
  encoder = AttentionBottleneck(width, depth, heads, fusion_layer: fusion_layer,
                                bottlenecks: bottlenecks)
  encoder_norm = LayerNorm(width, eps: 1e-6)
  output_projection = Linear(width, num_classes)

  input rgb: [B, 3, frames, image, image]
  input spectrogram: [B, 3, spec_time, spec_mel]
  input labels: [B, num_classes]                      # multi-hot AudioSet labels

  forward {
    let r = posembed_input(flatten(embedding(rgb), start: 2).T)
    let s = posembed_input_spectrogram(flatten(embedding_spectrogram(spectrogram), start: 2).T)
    let fused = encoder(r, s)
    # scenic concatenates in modality_fusion order (spectrogram, rgb), then pools all tokens
    let tokens = encoder_norm(concat([fused.spectrogram_out, fused.rgb_out], axis: 1))
    let logits = output_projection(mean(tokens, [1]))
    output logits = logits
    # scenic's weighted_sigmoid_cross_entropy: smoothed multi-hot targets, summed over the
    # classes, averaged over the batch
    let targets = labels * (1.0 - label_smoothing) + label_smoothing / num_classes
    loss bce = mean(sum(binary_cross_entropy_with_logits(logits, targets, reduction: "none"), [1]))
  }
  task classify { outputs: logits }
  task train { losses: bce }
  stage finetune { train: embedding, embedding_spectrogram, posembed_input, posembed_input_spectrogram,
                   encoder, encoder_norm, output_projection; tasks: train }
}

## MBT with tiny inputs: 4 frames of 32x32 and a 64x32 spectrogram in 8x8 patches (32 tokens
## each), width 32, two layers fused from the second.
model MBT_Tiny = MBT(frames: 4, image: 32, patch: 8, spec_time: 64, spec_mel: 32, width: 32,
                     depth: 2, heads: 2, fusion_layer: 1, num_classes: 10)
