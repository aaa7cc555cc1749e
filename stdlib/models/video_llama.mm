# Video-LLaMA (Zhang et al., 2023, "Video-LLaMA: An Instruction-tuned Audio-Visual Language
# Model for Video Understanding"), after the official DAMO-NLP-SG/Video-LLaMA code
# (`video_llama/models/video_llama.py`). Two branches feed a frozen LLaMA/Vicuna-7B:
#   vision-language: every frame (8 by default, 224x224) goes through BLIP-2's frozen EVA
#     ViT-g and Q-Former (32 queries, the weights of BLIP-2's Flan-T5-XXL release); a learned
#     frame position embedding is added to each frame's query outputs; a 2-layer video
#     Q-Former (BERT-base layers with a cross-attention in every layer) reads all frames'
#     query tokens with 32 queries of its own; `llama_proj` (768 -> 4096, initialised from
#     MiniGPT-4's) maps them into the LLM's embedding space;
#   audio-language: the frozen ImageBind-Huge embeds each 2-second audio clip (8 by
#     default) into its joint 1024-d space; a learned position embedding (one per clip) is
#     added; a 2-layer audio Q-Former with 8 queries and `audio_llama_proj` map them into
#     the LLM's space.
# Training (the official `train_configs`): the branches are trained apart, each with a
# pretraining stage on captions (WebVid-2M, and CC595K images as 1-frame videos) and an
# instruction-tuning stage (MiniGPT-4, LLaVA and VideoChat instructions), with the
# language-modelling loss on the caption or answer. The vision branch trains the frame
# position embedding, the video Q-Former with its queries and `llama_proj`. Audio-text data
# being scarce, the audio branch is trained on the same video-text data through ImageBind's
# image encoder (ImageBind puts images and audio in one space): each frame's ImageBind
# embedding takes the place of an audio clip's; it trains the audio Q-Former with its
# queries, the audio position embedding and `audio_llama_proj`. Everything else stays
# frozen in every stage. At inference (the audio-visual demo) the audio tokens and the video
# tokens go into one prompt: "... <audio tokens> ... <Video><video tokens></Video> ...".
#
# Names: the official model's attribute names for its own parts (llama_model,
# llama_proj, video_frame_position_embedding, video_Qformer, video_query_tokens,
# audio_encoder, audio_Qformer, audio_query_tokens, audio_llama_proj,
# audio_position_embedding) and, as in std/models/minigpt4.mm, BLIP-2's Hugging Face names
# for the frozen BLIP-2 parts (vision_model, query_tokens, qformer). Mappings from the
# official checkpoint: visual_encoder.* -> vision_model.* (see std/towers/vit.mm; EVA's
# q_bias/v_bias become one qkv.bias, 1408 more per layer), ln_vision ->
# vision_model.post_layernorm; Qformer.bert.*, video_Qformer.bert.* and audio_Qformer.bert.*
# -> qformer.*, video_Qformer.*, audio_Qformer.* with `embeddings.LayerNorm` -> `layernorm`
# and `attention.self` -> `attention.attention` (the official code deletes the word and
# position embeddings, the text FFN and the LM heads of all three Q-Formers);
# audio_encoder.* is ImageBind's checkpoint with the names of std/models/imagebind.mm (all
# six modalities: the official code builds the whole `imagebind_huge` and loads
# imagebind_huge.pth into it).

import { Linear, Embedding } from "std/nn/layers.mm"
import "std/towers/vit.mm"
import "std/fusion/qformer.mm"
import "std/towers/llama.mm"
import { ModalityPreprocessors, ModalityTrunks, ModalityHeads, ModalityPostprocessors } from "std/models/imagebind.mm"

## ImageBind-Huge as a frozen encoder (official `imagebind_huge()`, all six modalities, with
## the names of std/models/imagebind.mm). A call embeds audio clips ([N, 1, mel_bins,
## audio_frames]) or images ([N, 3, image, image]) as Video-LLaMA's `get_audio_feature`
## does: head, then postprocessor (normalised; audio also scaled by 20).
tower ImageBindModel(out: Int = 1024, image: Int = 224, patch: Int = 14, vocab: Int = 49_408, context: Int = 77,
                     mel_bins: Int = 128, audio_frames: Int = 204, imu_length: Int = 2000,
                     depth_kernel: Int = 16, thermal_kernel: Int = 16,
                     vision_width: Int = 1280, vision_depth: Int = 32, vision_heads: Int = 16,
                     text_width: Int = 1024, text_depth: Int = 24, text_heads: Int = 16,
                     audio_width: Int = 768, audio_depth: Int = 12, audio_heads: Int = 12,
                     depth_width: Int = 384, depth_depth: Int = 12, depth_heads: Int = 8,
                     thermal_width: Int = 768, thermal_depth: Int = 12, thermal_heads: Int = 12,
                     imu_width: Int = 512, imu_depth: Int = 6, imu_heads: Int = 8) {
  modality_preprocessors = ModalityPreprocessors(vision_width, text_width, audio_width, depth_width,
                                                 thermal_width, imu_width, image: image, patch: patch,
                                                 vocab: vocab, context: context, mel_bins: mel_bins,
                                                 audio_frames: audio_frames, imu_length: imu_length,
                                                 depth_kernel: depth_kernel, thermal_kernel: thermal_kernel)
  modality_trunks = ModalityTrunks(vision_width, vision_depth, vision_heads, text_width, text_depth, text_heads,
                                   audio_width, audio_depth, audio_heads, depth_width, depth_depth, depth_heads,
                                   thermal_width, thermal_depth, thermal_heads, imu_width, imu_depth, imu_heads)
  modality_heads = ModalityHeads(out, vision_width, text_width, audio_width, depth_width, thermal_width, imu_width)
  modality_postprocessors = ModalityPostprocessors()
  forward(x: [N, ...], modality: String) -> [N, out] {
    if modality == "audio" {
      let a = modality_trunks.audio(modality_preprocessors.audio(x))
      return modality_postprocessors.audio(modality_heads.audio(a))
    }
    # an image is a two-frame clip of itself (PadIm2Video, repeat)
    let clip = expand(unsqueeze(x, 2), [N, 3, 2, image, image])
    return normalize(modality_heads.vision(modality_trunks.vision(modality_preprocessors.vision(clip))))
  }
}

## Video-LLaMA with Vicuna-7B (the released Video-LLaMA-Series 7B: the vision-language and
## audio-language branch checkpoints loaded into one model). Inputs: `video` (b c t h w, as
## the official code takes it), `audio` (clips of log-mel spectrograms), and the prompt split
## at the two placeholders: `prompt_ids` (with BOS) before the audio tokens, `middle_ids`
## between the audio and the video tokens, `input_ids` after them (with `labels`). The
## training losses splice one branch's tokens between `prompt_ids` and `input_ids`.
## published: none (models.md gives no figure; this counts 9,075,270,913: EVA ViT-g (39 blocks, with HF's packed qkv bias), BLIP-2's Q-Former and queries, the video Q-Former and frame positions, llama_proj, the whole ImageBind-Huge, the audio Q-Former and positions, audio_llama_proj and Vicuna-7B)
model VideoLLaMA(frames: Int = 8, clips: Int = 8, queries: Int = 32, video_queries: Int = 32,
                 audio_queries: Int = 8, max_frame_pos: Int = 32) {
  vision_model = ViTModel(image: 224, patch: 14, width: 1408, depth: 39, heads: 16, hidden: 6144, eps: 1e-6,
                          add_pooling_layer: false)
  # Hugging Face's checkpoints name the EVA ViT as `Blip2VisionModel` does.
  default layout hf_blip
  qformer = Blip2QFormerModel(kv_width: vision_model.width)
  param query_tokens: [1, queries, qformer.width] init normal(std: 0.02)
  llama_model = LlamaForCausalLM()
  llama_proj = Linear(qformer.width, llama_model.width)
  video_frame_position_embedding = Embedding(max_frame_pos, qformer.width)
  video_Qformer = Blip2QFormerModel(depth: 2, kv_width: qformer.width, cross_every: 1)
  param video_query_tokens: [1, video_queries, video_Qformer.width] init normal(std: 0.02)
  audio_encoder = ImageBindModel()
  audio_Qformer = Blip2QFormerModel(depth: 2, kv_width: audio_encoder.out, cross_every: 1)
  param audio_query_tokens: [1, audio_queries, audio_Qformer.width] init normal(std: 0.02)
  audio_llama_proj = Linear(audio_Qformer.width, llama_model.width)
  audio_position_embedding = Embedding(clips, audio_encoder.out)

  input video: [B, 3, frames, vision_model.image, vision_model.image]
  input audio: [B, clips, 1, audio_encoder.mel_bins, audio_encoder.audio_frames]
  input prompt_ids: [B, P] int64
  input middle_ids: [B, M] int64
  input input_ids: [B, L] int64
  input labels: [B, L] int64

  forward {
    let width = qformer.width
    let embed = llama_model.model.embed_tokens
    let images = reshape(permute(video, [0, 2, 1, 3, 4]), [B * frames, 3, vision_model.image, vision_model.image])

    # vision-language branch (encode_videoQformer_visual)
    let image_embeds = vision_model(images).last_hidden_state
    let query_output = qformer(expand(query_tokens, [B * frames, queries, width]), queries, image: image_embeds)
    let frame_positions = reshape(video_frame_position_embedding(arange(frames)), [1, frames, 1, width])
    let frame_hidden = reshape(reshape(query_output, [B, frames, queries, width]) + frame_positions,
                               [B, frames * queries, width])
    let video_hidden = video_Qformer(expand(video_query_tokens, [B, video_queries, video_Qformer.width]),
                                     video_queries, image: frame_hidden)
    let video_embeds: [B, video_queries, llama_model.width] = llama_proj(video_hidden)

    # audio-language branch (encode_audioQformer): audio clips, or video frames through
    # ImageBind's image encoder in training
    let audio_width = audio_Qformer.width
    let clip_embeds = reshape(audio_encoder(reshape(audio, [B * clips, 1, audio_encoder.mel_bins, audio_encoder.audio_frames]),
                                            "audio"), [B, clips, audio_encoder.out])
    let audio_hidden = audio_Qformer(expand(audio_query_tokens, [B, audio_queries, audio_width]), audio_queries,
                                     image: clip_embeds + audio_position_embedding(arange(clips)))
    let audio_embeds: [B, audio_queries, llama_model.width] = audio_llama_proj(audio_hidden)
    let frame_embeds = reshape(audio_encoder(images, "vision"), [B, frames, audio_encoder.out])
    let frame_audio_hidden = audio_Qformer(expand(audio_query_tokens, [B, audio_queries, audio_width]), audio_queries,
                                           image: frame_embeds + audio_position_embedding(arange(frames)))
    let frame_audio_embeds = audio_llama_proj(frame_audio_hidden)

    # audio-visual chat: prompt, audio tokens, middle text, video tokens, the rest
    let chat = concat([embed(prompt_ids), audio_embeds, embed(middle_ids), video_embeds, embed(input_ids)], axis: 1)
    let logits = llama_model(chat).logits[:, P + audio_queries + M + video_queries:]
    output logits: [B, L, llama_model.vocab] = logits

    # The official loss shifts over the whole sequence, -100 on the prompt and the queries: the
    # last query position predicts the first answer token.
    let vl = llama_model(concat([embed(prompt_ids), video_embeds, embed(input_ids)], axis: 1)).logits
    loss video_lm = cross_entropy(vl[:, P + video_queries - 1:-1], labels, axis: -1)
    let al = llama_model(concat([embed(prompt_ids), frame_audio_embeds, embed(input_ids)], axis: 1)).logits
    loss audio_lm = cross_entropy(al[:, P + audio_queries - 1:-1], labels, axis: -1)
  }

  task audio_visual_chat { outputs: logits; inputs: video, audio, prompt_ids, middle_ids, input_ids }
  task vision_language { losses: video_lm; inputs: video, prompt_ids, input_ids, labels }
  task audio_language { losses: audio_lm; inputs: video, prompt_ids, input_ids, labels }

  ## Vision branch, pretraining on WebVid-2M and CC595K captions (audio branch not built).
  stage vision_pretrain {
    train: video_frame_position_embedding, video_Qformer, video_query_tokens, llama_proj
    freeze: vision_model, qformer, query_tokens, llama_model, audio_encoder, audio_Qformer, audio_query_tokens,
            audio_llama_proj, audio_position_embedding
    tasks: vision_language
  }
  ## Vision branch, instruction tuning (MiniGPT-4, LLaVA and VideoChat instructions).
  stage vision_finetune {
    train: video_frame_position_embedding, video_Qformer, video_query_tokens, llama_proj
    freeze: vision_model, qformer, query_tokens, llama_model, audio_encoder, audio_Qformer, audio_query_tokens,
            audio_llama_proj, audio_position_embedding
    tasks: vision_language
  }
  ## Audio branch, pretraining on WebVid-2M through ImageBind's image encoder.
  stage audio_pretrain {
    train: audio_Qformer, audio_query_tokens, audio_llama_proj, audio_position_embedding
    freeze: vision_model, qformer, query_tokens, llama_model, llama_proj, video_frame_position_embedding,
            video_Qformer, video_query_tokens, audio_encoder
    tasks: audio_language
  }
  ## Audio branch, instruction tuning on the same instruction data.
  stage audio_finetune {
    train: audio_Qformer, audio_query_tokens, audio_llama_proj, audio_position_embedding
    freeze: vision_model, qformer, query_tokens, llama_model, llama_proj, video_frame_position_embedding,
            video_Qformer, video_query_tokens, audio_encoder
    tasks: audio_language
  }
}

## Tiny Video-LLaMA: 2 frames and 2 audio clips, 64-wide encoders, Q-Formers and decoder.
model VideoLLaMA_Tiny = VideoLLaMA(frames: 2, clips: 2, queries: 4, video_queries: 4, audio_queries: 2,
                                   max_frame_pos: 4) with {
  vision_model = ViTModel(image: 32, patch: 8, width: 64, depth: 2, heads: 4, hidden: 128, eps: 1e-6,
                          add_pooling_layer: false)
  qformer.width = 64
  qformer.depth = 2
  qformer.heads = 4
  qformer.hidden = 128
  llama_model = LlamaForCausalLM(vocab: 1000, width: 64, depth: 2, heads: 4, hidden: 128)
  video_Qformer = Blip2QFormerModel(width: 64, depth: 2, heads: 4, hidden: 128, kv_width: 64, cross_every: 1)
  audio_encoder = ImageBindModel(out: 32, image: 32, patch: 8, vocab: 1000, context: 16, mel_bins: 32,
                                 audio_frames: 36, imu_length: 64, depth_kernel: 8, thermal_kernel: 8,
                                 vision_width: 64, vision_depth: 2, vision_heads: 4,
                                 text_width: 48, text_depth: 2, text_heads: 4,
                                 audio_width: 32, audio_depth: 2, audio_heads: 4,
                                 depth_width: 16, depth_depth: 2, depth_heads: 2,
                                 thermal_width: 32, thermal_depth: 2, thermal_heads: 4,
                                 imu_width: 32, imu_depth: 1, imu_heads: 4)
  audio_Qformer = Blip2QFormerModel(width: 64, depth: 2, heads: 4, hidden: 128, kv_width: 32, cross_every: 1)
}
