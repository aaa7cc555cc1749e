# CogVLM (Wang et al., 2023, "CogVLM: Visual Expert for Pretrained Language Models"): an
# EVA2-CLIP-E image encoder without its last layer, a SwiGLU adapter into the language
# model's width, and Vicuna-7B-v1.5 with a trainable visual expert in every layer: image
# tokens get their own QKV, attention output and feed-forward weights, text tokens keep the
# frozen language model's, and both attend to each other in one causal attention. All the
# patches of an image share one rotary position. Training (the paper, §2.2-2.3):
#   pretraining, stage 1: image captioning on 1.5B image-text pairs (224x224), and stage 2:
#     captioning mixed with referring expression comprehension (boxes written as text), the
#     last part at 490x490; the visual experts, the adapter and boi/eoi are trained, the ViT
#     and the language model stay frozen ("6.5B trainable parameters");
#   alignment (CogVLM-Chat, SFT on VQA and instruction data): the visual encoder is also
#     trained, at a tenth of the learning rate; the language model's own weights stay frozen,
#     which keeps its NLP behaviour unchanged.
# All of these objectives are next-token prediction on the text after the image (`lm`).
#
# Names are the official Hugging Face code's (THUDM/cogvlm-chat-hf, `CogVLMForCausalLM`):
# model.{embed_tokens, layers.N, norm, vision}, lm_head; see std/towers/eva2_clip.mm for
# `model.vision` and std/experts/visual_expert.mm for the layers. No exceptions: the rotary
# embedding's `inv_freq` is a buffer, not a parameter.

import { Linear, Embedding, RMSNorm } from "std/nn/layers.mm"
import { EVA2CLIPModel } from "std/towers/eva2_clip.mm"
import { CogVLMDecoderLayer } from "std/experts/visual_expert.mm"

## The decoder with its vision tower (official `CogVLMModel`). It takes the spliced input
## embeddings, the position ids and the layout of the sequence: `prefix` text tokens, then
## `vision` tokens for the vision expert (boi and the patches), then the rest (eoi and text).
block CogVLMModel(vocab: Int, width: Int, depth: Int, heads: Int, hidden: Int, eps: Float,
                  image: Int, patch: Int, vision_width: Int, vision_depth: Int, vision_heads: Int,
                  vision_hidden: Int) {
  embed_tokens = Embedding(vocab, width)
  layers = repeat depth CogVLMDecoderLayer(width, heads, hidden, eps)
  norm = RMSNorm(width, eps: eps)
  vision = EVA2CLIPModel(image: image, patch: patch, width: vision_width, depth: vision_depth,
                         heads: vision_heads, hidden: vision_hidden, out: width, adapter_hidden: hidden)
  forward(inputs_embeds: [B, T, width], position_ids: [T] int64, prefix: Int, vision_tokens: Int)
    -> [B, T, width] {
    let x = inputs_embeds
    for layer in layers {
      x = layer(x, position_ids, prefix, vision_tokens)
    }
    return norm(x)
  }
}

## CogVLM-17B (THUDM/cogvlm-chat-hf): EVA2-CLIP-E (63 layers, 1792 wide, 490x490 images:
## 1225 patches + boi + eoi = 1227 image tokens), the SwiGLU adapter (1792 -> 4096, inner
## 11008) and Vicuna-7B-v1.5 (32 layers, 4096 wide, vocabulary 32000, RMSNorm eps 1e-5) with
## a visual expert in every layer. The sequence is [BOS; image; input_ids] (the official
## template puts the image right after BOS); the logits are those of input_ids.
## published: ~17B (README and paper: "CogVLM-17B has 10 billion visual parameters and 7 billion language parameters"; counts the whole checkpoint: 17,639,685,376 = 4,425,264,384 vision tower, adapter and boi/eoi (model.vision) + 6,476,005,376 visual experts + 6,738,415,616 Vicuna-7B-v1.5; the 10B + 7B are truncations of 10.90B + 6.74B, so the total matches as an approximate figure)
model CogVLM_17B(vocab: Int = 32000, width: Int = 4096, depth: Int = 32, heads: Int = 32, hidden: Int = 11008,
                 eps: Float = 1e-5, image: Int = 490, patch: Int = 14, vision_width: Int = 1792,
                 vision_depth: Int = 63, vision_heads: Int = 16, vision_hidden: Int = 15360) {
  model = CogVLMModel(vocab, width, depth, heads, hidden, eps, image, patch, vision_width, vision_depth,
                      vision_heads, vision_hidden)
  lm_head = Linear(width, vocab, bias: false)
  # The released checkpoints name the ViT's attention as SwissArmyTransformer does.
  default layout sat
  let patches = (image / patch) ** 2
  let image_tokens = patches + 2

  input pixel_values: [B, 3, image, image]
  input input_ids: [B, L] int64
  input labels: [B, L] int64

  forward {
    let image_embeds = model.vision(pixel_values)
    let embed = model.embed_tokens
    # [BOS; boi; patches; eoi; text], as build_conversation_input_ids lays it out (BOS is id 1)
    let bos = embed(ones([B, 1], dtype: "int64"))
    let inputs_embeds: [B, 1 + image_tokens + L, width] = concat([bos, image_embeds, embed(input_ids)], axis: 1)
    # build_position_ids: BOS 0, boi 1, every patch 2, eoi 3, text 4, 5, ...
    let position_ids = concat([arange(3), expand(slice(arange(3), 0, 2), [patches - 1]), slice(arange(L + 4), 0, 3)])
    # boi and the patches use the vision expert; BOS, eoi and the text the language expert.
    let h = model(inputs_embeds, position_ids, 1, image_tokens - 1)
    output logits: [B, L, vocab] = lm_head(h[:, 1 + image_tokens:])
    # The official loss shifts over the whole sequence, -100 on BOS and the image tokens: eoi
    # predicts the first text token.
    loss lm = cross_entropy(lm_head(h[:, image_tokens:-1]), labels, axis: -1)
  }

  task chat { outputs: logits }
  task pretrain { losses: lm }        # captioning; captioning + REC
  task alignment { losses: lm }       # SFT on VQA / instruction data

  ## Pretraining (both stages): the visual experts, the adapter and boi/eoi.
  stage pretrain {
    train: model.vision.linear_proj, model.vision.boi, model.vision.eoi,
           model.layers.*.self_attn.vision_expert_query_key_value,
           model.layers.*.self_attn.vision_expert_dense, model.layers.*.mlp.vision_mlp
    freeze: model.vision.patch_embedding, model.vision.transformer, model.embed_tokens, model.layers,
            model.norm, lm_head
    tasks: pretrain
  }
  ## CogVLM-Chat alignment: the ViT is trained too (at a tenth of the learning rate).
  stage alignment {
    train: model.vision, model.layers.*.self_attn.vision_expert_query_key_value,
           model.layers.*.self_attn.vision_expert_dense, model.layers.*.mlp.vision_mlp
    freeze: model.embed_tokens, model.layers, model.norm, lm_head
    tasks: alignment
  }
}

## Tiny CogVLM: a 2-layer 48-wide ViT on 28x28 images (4 patches), a 2-layer 64-wide decoder.
model CogVLM_17B_Tiny = CogVLM_17B(vocab: 1000, width: 64, depth: 2, heads: 4, hidden: 128, image: 28,
                                   vision_width: 48, vision_depth: 2, vision_heads: 4, vision_hidden: 96)
