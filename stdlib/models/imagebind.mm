# ImageBind (Girdhar et al., 2023): one embedding space for six modalities, bound through
# images. After the official facebookresearch/ImageBind code (`imagebind_model.py`,
# `imagebind_huge`), with its names: `modality_preprocessors`, `modality_trunks`,
# `modality_heads`, `modality_postprocessors`, each keyed by modality (vision, text, audio,
# depth, thermal, imu). See stdlib/towers/imagebind.mm for the encoders. The official
# nn.Sequential heads and postprocessors are `sequential`s, so their indices are the
# checkpoint's (`modality_heads.vision.2.weight`, `modality_postprocessors.text.1.log_logit_scale`);
# the fixed logit scales are buffers, as in imagebind_huge.pth.
#
# The image/video and text encoders are OpenCLIP ViT-H/14 (1280 wide, 32 blocks; text 1024
# wide, 24 blocks) and stay frozen; audio (AudioSet spectrograms, 128 mel bins x 204
# frames, 16x16 patches with stride 10), depth (384 wide), thermal and IMU (6 channels x
# 2000 samples, windows of 8) encoders are trained from scratch, each with an InfoNCE loss
# against the images it is paired with (audio and IMU come with video frames; a clip's
# first frame stands in here). Each modality's embedding is normalised and scaled by a
# fixed logit scale (audio 20, depth 5, thermal 10, IMU 5; text a learned one, max 100).
# Audio and video arrive as several clips whose embeddings the official code averages; one
# clip per example here.

import { Linear, LayerNorm, Dropout } from "std/nn/layers.mm"
import "std/towers/imagebind.mm"

block ModalityPreprocessors(vision_width: Int, text_width: Int, audio_width: Int, depth_width: Int,
                            thermal_width: Int, imu_width: Int, image: Int = 224, frames: Int = 2,
                            patch: Int = 14, vocab: Int = 49_408, context: Int = 77,
                            mel_bins: Int = 128, audio_frames: Int = 204, audio_kernel: Int = 16,
                            audio_stride: Int = 10, depth_kernel: Int = 16, thermal_kernel: Int = 16,
                            imu_channels: Int = 6, imu_length: Int = 2000, imu_kernel: Int = 8)
  where image % patch == 0, image % depth_kernel == 0, image % thermal_kernel == 0 {
  let audio_patches = ((mel_bins - audio_kernel) // audio_stride + 1) * ((audio_frames - audio_kernel) // audio_stride + 1)
  vision = RGBDTPreprocessor(VideoPatchEmbed(vision_width, frames, patch), (image / patch) ** 2, vision_width)
  text = TextPreprocessor(vocab, context, text_width)
  audio = RGBDTPreprocessor(PatchEmbedGeneric(ImageBindConv2d(1, audio_width, audio_kernel, audio_stride), audio_width),
                            audio_patches, audio_width)
  depth = RGBDTPreprocessor(PatchEmbedGeneric(ImageBindConv2d(1, depth_width, depth_kernel), depth_width),
                            (image / depth_kernel) ** 2, depth_width, depth: true)
  thermal = RGBDTPreprocessor(PatchEmbedGeneric(ImageBindConv2d(1, thermal_width, thermal_kernel), thermal_width),
                              (image / thermal_kernel) ** 2, thermal_width)
  imu = IMUPreprocessor(imu_channels, imu_length, imu_kernel, imu_width)
}

block ModalityTrunks(vision_width: Int, vision_depth: Int, vision_heads: Int,
                     text_width: Int, text_depth: Int, text_heads: Int,
                     audio_width: Int, audio_depth: Int, audio_heads: Int,
                     depth_width: Int, depth_depth: Int, depth_heads: Int,
                     thermal_width: Int, thermal_depth: Int, thermal_heads: Int,
                     imu_width: Int, imu_depth: Int, imu_heads: Int) {
  vision = SimpleTransformer(vision_width, vision_depth, vision_heads, pre_ln: true)
  text = SimpleTransformer(text_width, text_depth, text_heads)
  audio = SimpleTransformer(audio_width, audio_depth, audio_heads, add_bias_kv: true)
  depth = SimpleTransformer(depth_width, depth_depth, depth_heads, add_bias_kv: true)
  thermal = SimpleTransformer(thermal_width, thermal_depth, thermal_heads, add_bias_kv: true)
  imu = SimpleTransformer(imu_width, imu_depth, imu_heads, add_bias_kv: true)
}

block ModalityHeads(out: Int, vision_width: Int, text_width: Int, audio_width: Int, depth_width: Int,
                    thermal_width: Int, imu_width: Int) {
  vision = sequential(LayerNorm(vision_width, eps: 1e-6), SelectElement(0), Linear(vision_width, out, bias: false))
  text = ImageBindTextHead(text_width, out)
  audio = sequential(LayerNorm(audio_width, eps: 1e-6), SelectElement(0), Linear(audio_width, out, bias: false))
  depth = sequential(LayerNorm(depth_width, eps: 1e-6), SelectElement(0), Linear(depth_width, out, bias: false))
  thermal = sequential(LayerNorm(thermal_width, eps: 1e-6), SelectElement(0), Linear(thermal_width, out, bias: false))
  imu = sequential(LayerNorm(imu_width, eps: 1e-6), SelectElement(0), Dropout(0.5), Linear(imu_width, out, bias: false))
}

## Normalize(dim=-1), the first layer of a postprocessor.
block Normalize {
  forward(x: [..., D]) -> [..., D] {
    return normalize(x)
  }
}

## LearnableLogitScaling(learnable=True): x * min(exp(log_logit_scale), max_scale).
block LearnableLogitScaling(init: Float = 1.0 / 0.07, max_scale: Float = 100.0) {
  param log_logit_scale: [] init const(log(init))
  forward(x: [...]) -> [...] {
    return clamp(exp(log_logit_scale), max: max_scale) * x
  }
}

## LearnableLogitScaling(learnable=False): the same with log(init) a buffer of the checkpoint.
block FixedLogitScaling(init: Float, max_scale: Float = 100.0) {
  buffer log_logit_scale: [] init const(log(init))
  forward(x: [...]) -> [...] {
    return clamp(exp(log_logit_scale), max: max_scale) * x
  }
}

## The official nn.Sequential(Normalize, LearnableLogitScaling) per modality but vision
## (Normalize alone): `M.1.log_logit_scale`.
block ModalityPostprocessors {
  text = sequential(Normalize(), LearnableLogitScaling(1.0 / 0.07))
  audio = sequential(Normalize(), FixedLogitScaling(20.0))
  depth = sequential(Normalize(), FixedLogitScaling(5.0))
  thermal = sequential(Normalize(), FixedLogitScaling(10.0))
  imu = sequential(Normalize(), FixedLogitScaling(5.0))
}

## InfoNCE between image embeddings and another modality's (already scaled) embeddings.
loss InfoNCE {
  forward(image: [B, D], other: [B, D]) -> [] {
    let logits = image @ other.T
    return (cross_entropy(logits, arange(B)) + cross_entropy(logits.T, arange(B))) / 2.0
  }
}

## ImageBind (huge): six encoders into one 1024-d space; image and text frozen (OpenCLIP
## ViT-H/14), audio, depth, thermal and IMU trained against images.
## published: about 1.2B (models.md; the imagebind_huge checkpoint: all six preprocessors, trunks and heads, and the text logit scale)
model ImageBind_Huge(out: Int = 1024, image: Int = 224, vocab: Int = 49_408, context: Int = 77,
                     mel_bins: Int = 128, audio_frames: Int = 204, imu_length: Int = 2000,
                     vision_width: Int = 1280, vision_depth: Int = 32, vision_heads: Int = 16,
                     text_width: Int = 1024, text_depth: Int = 24, text_heads: Int = 16,
                     audio_width: Int = 768, audio_depth: Int = 12, audio_heads: Int = 12,
                     depth_width: Int = 384, depth_depth: Int = 12, depth_heads: Int = 8,
                     thermal_width: Int = 768, thermal_depth: Int = 12, thermal_heads: Int = 12,
                     imu_width: Int = 512, imu_depth: Int = 6, imu_heads: Int = 8) {
  modality_preprocessors = ModalityPreprocessors(vision_width, text_width, audio_width, depth_width,
                                                 thermal_width, imu_width, image: image, vocab: vocab,
                                                 context: context, mel_bins: mel_bins,
                                                 audio_frames: audio_frames, imu_length: imu_length)
  modality_trunks = ModalityTrunks(vision_width, vision_depth, vision_heads, text_width, text_depth, text_heads,
                                   audio_width, audio_depth, audio_heads, depth_width, depth_depth, depth_heads,
                                   thermal_width, thermal_depth, thermal_heads, imu_width, imu_depth, imu_heads)
  modality_heads = ModalityHeads(out, vision_width, text_width, audio_width, depth_width, thermal_width, imu_width)
  modality_postprocessors = ModalityPostprocessors()
  infonce = InfoNCE()

  input vision: [B, 3, image, image]
  input text: [B, context] int64
  input audio: [B, 1, mel_bins, audio_frames]
  input depth: [B, 1, image, image]
  input thermal: [B, 1, image, image]
  input imu: [B, 6, imu_length]

  forward {
    # An image is a two-frame clip of itself (PadIm2Video, repeat).
    let clip = expand(unsqueeze(vision, 2), [B, 3, 2, image, image])
    let v = modality_trunks.vision(modality_preprocessors.vision(clip))
    let vision_embeds = normalize(modality_heads.vision(v))
    let t = modality_trunks.text(modality_preprocessors.text(text), causal: true)
    let text_embeds = modality_postprocessors.text(modality_heads.text(t, text))
    let a = modality_trunks.audio(modality_preprocessors.audio(audio))
    let audio_embeds = modality_postprocessors.audio(modality_heads.audio(a))
    let d = modality_trunks.depth(modality_preprocessors.depth(depth))
    let depth_embeds = modality_postprocessors.depth(modality_heads.depth(d))
    let th = modality_trunks.thermal(modality_preprocessors.thermal(thermal))
    let thermal_embeds = modality_postprocessors.thermal(modality_heads.thermal(th))
    let i = modality_trunks.imu(modality_preprocessors.imu(imu))
    let imu_embeds = modality_postprocessors.imu(modality_heads.imu(i))

    output vision_embeds: [B, out] = vision_embeds
    output text_embeds: [B, out] = text_embeds
    output audio_embeds: [B, out] = audio_embeds
    output depth_embeds: [B, out] = depth_embeds
    output thermal_embeds: [B, out] = thermal_embeds
    output imu_embeds: [B, out] = imu_embeds
    output vision_x_text = vision_embeds @ text_embeds.T

    loss audio_nce = infonce(vision_embeds, audio_embeds)
    loss depth_nce = infonce(vision_embeds, depth_embeds)
    loss thermal_nce = infonce(vision_embeds, thermal_embeds)
    loss imu_nce = infonce(vision_embeds, imu_embeds)
  }

  task zero_shot { outputs: vision_embeds, text_embeds, vision_x_text; inputs: vision, text }
  task embed_audio { outputs: audio_embeds; inputs: audio }
  task embed_depth { outputs: depth_embeds; inputs: depth }
  task embed_thermal { outputs: thermal_embeds; inputs: thermal }
  task embed_imu { outputs: imu_embeds; inputs: imu }
  task bind_audio { losses: audio_nce; inputs: vision, audio }        # AudioSet (video frame, audio)
  task bind_depth { losses: depth_nce; inputs: vision, depth }        # SUN RGB-D
  task bind_thermal { losses: thermal_nce; inputs: vision, thermal }  # LLVIP
  task bind_imu { losses: imu_nce; inputs: vision, imu }              # Ego4D (video frame, IMU)

  ## The image and text encoders stay frozen; the other four are trained against images.
  stage bind {
    freeze: modality_preprocessors.vision, modality_trunks.vision, modality_heads.vision,
            modality_preprocessors.text, modality_trunks.text, modality_heads.text, modality_postprocessors.text
    tasks: bind_audio, bind_depth, bind_thermal, bind_imu
  }
}

model ImageBind_Huge_Tiny = ImageBind_Huge(out: 32, image: 32, vocab: 1000, context: 16,
                                           mel_bins: 32, audio_frames: 36, imu_length: 64,
                                           vision_width: 64, vision_depth: 2, vision_heads: 4,
                                           text_width: 48, text_depth: 2, text_heads: 4,
                                           audio_width: 32, audio_depth: 2, audio_heads: 4,
                                           depth_width: 16, depth_depth: 2, depth_heads: 2,
                                           thermal_width: 32, thermal_depth: 2, thermal_heads: 4,
                                           imu_width: 32, imu_depth: 1, imu_heads: 4) with {
  modality_preprocessors.patch = 8
  modality_preprocessors.depth_kernel = 8
  modality_preprocessors.thermal_kernel = 8
}
