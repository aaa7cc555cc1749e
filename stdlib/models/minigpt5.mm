# MiniGPT-5 (Zheng et al., 2023): interleaved image-and-text generation through "generative
# vokens". MiniGPT-4 (frozen EVA ViT-g + Q-Former, its `llama_proj`, Vicuna-7B) learns 8 new
# tokens [IMG0]..[IMG7] (and <ImageHere>); the LLM's last hidden states at the 8 vokens go
# through a mapper into the conditioning space of a frozen Stable Diffusion 2.1 (77 tokens of
# width 1024, where its CLIP text encoder's output would go):
#   fc                   Linear(4096, 1024), GELU, Linear(1024, 1024) on each voken;
#   llm_to_t2i_mapping   a PyTorch nn.Transformer (width 1024, 8 heads, FFN 4096, ReLU, pre-LN,
#                        4 encoder + 4 decoder layers) from the 8 vokens (encoder) to
#   t2i_decoder_prompt   77 learned queries (decoder), whose outputs are the UNet's prompt
#                        embeddings.
# The mapper is 122.90M parameters (the published "about 123M").
#
# The Stable Diffusion UNet, VAE and text encoder are outside this model: they are frozen and
# only consume `prompt_embeds` (the UNet's cross-attention input) or produce `caption_embeds`.
# The latent-diffusion loss of the paper (the frozen UNet's noise prediction conditioned on
# `prompt_embeds`, weight 1) is therefore computed outside; in here are the text loss (LM loss
# over the text and voken tokens, weight 0.01) and the caption loss (MSE between
# `prompt_embeds` and the SD text encoder's embedding of the caption, weight 0.1).
#
# Two stages (official code, `IS_STAGE2`): unimodal alignment on CC3M trains the mapper and the
# new tokens' rows; multimodal learning (VIST, MMDialog) adds LoRA (rank 8, alpha 16, on
# q_proj and v_proj of Vicuna) and keeps training the nn.Transformer and the new rows, with `fc`
# and `t2i_decoder_prompt` frozen. `llama_proj` stays frozen in both (MiniGPT-5 freezes it).
#
# Names: the official checkpoint's (a Lightning module: `fc.0`, `fc.2`, `llm_to_t2i_mapping.*`
# with PyTorch's nn.Transformer names, `t2i_decoder_prompt`, and MiniGPT-4 under `model.`),
# with these exceptions: the MiniGPT-4 part is at the top level with the names of
# models/minigpt4.mm (no `model.` prefix); the 9 new rows of the resized `embed_tokens` and
# `lm_head` (ids 32000..32008, the only rows that train, through gradient masks in the official
# code) are separate parameters `img_token_embeddings` and `img_token_lm_head`, next to the
# frozen 32000-row tables (`layout official` joins them as the official tables); the LoRA adapters are named as PEFT saves them
# (`llama_model.model.layers.N.self_attn.q_proj.lora_A.weight`, without PEFT's
# `base_model.model.` prefix).

import "std/nn/layers.mm"
import "std/towers/vit.mm"
import "std/fusion/qformer.mm"
import { MultiheadAttention } from "std/nn/attention.mm"
import "std/towers/llama.mm"

# ------------------------------------------------------------------------ the mapper

## One entry of a PyTorch nn.Sequential(Linear, GELU, Linear): entries 0 and 2 are the
## Linears, entry 1 the GELU (no parameters), so that the paths are the checkpoint's
## `fc.0.weight`, `fc.2.weight`.
block MapperFcSlot(index: Int, in_features: Int, out_features: Int) {
  let fan_in = if index == 0 then in_features else out_features
  param weight: [out_features, fan_in] init kaiming_uniform if index != 1
  param bias: [out_features] init zeros if index != 1
  forward(x: [..., fan_in]) -> [..., out_features] {
    if index == 1 {
      return gelu(x)
    }
    return linear(x, weight, bias)
  }
}

## nn.TransformerEncoderLayer with norm_first=True, ReLU.
block TransformerEncoderLayer(width: Int, heads: Int, hidden: Int) {
  self_attn = MultiheadAttention(width, heads)
  linear1 = Linear(width, hidden)
  linear2 = Linear(hidden, width)
  norm1 = LayerNorm(width)
  norm2 = LayerNorm(width)
  forward(x: [B, T, width]) -> [B, T, width] {
    x = x + self_attn(norm1(x))
    return x + linear2(relu(linear1(norm2(x))))
  }
}

## nn.TransformerDecoderLayer with norm_first=True, ReLU; no causal mask (MiniGPT-5 passes
## none: the 77 queries see each other).
block TransformerDecoderLayer(width: Int, heads: Int, hidden: Int) {
  self_attn = MultiheadAttention(width, heads)
  multihead_attn = MultiheadAttention(width, heads)
  linear1 = Linear(width, hidden)
  linear2 = Linear(hidden, width)
  norm1 = LayerNorm(width)
  norm2 = LayerNorm(width)
  norm3 = LayerNorm(width)
  forward(x: [B, T, width], memory: [B, S, width]) -> [B, T, width] {
    x = x + self_attn(norm1(x))
    x = x + multihead_attn(norm2(x), context: memory)
    return x + linear2(relu(linear1(norm3(x))))
  }
}

block TransformerEncoder(width: Int, depth: Int, heads: Int, hidden: Int) {
  layers = repeat depth TransformerEncoderLayer(width, heads, hidden)
  norm = LayerNorm(width)
  forward(x: [B, T, width]) -> [B, T, width] {
    return norm(layers(x))
  }
}

block TransformerDecoder(width: Int, depth: Int, heads: Int, hidden: Int) {
  layers = repeat depth TransformerDecoderLayer(width, heads, hidden)
  norm = LayerNorm(width)
  forward(x: [B, T, width], memory: [B, S, width]) -> [B, T, width] {
    for layer in layers {
      x = layer(x, memory)
    }
    return norm(x)
  }
}

## PyTorch's nn.Transformer (encoder, decoder, each with a final norm): MiniGPT-5's
## `llm_to_t2i_mapping`, from the voken features (src) to the learned prompt queries (tgt).
block TorchTransformer(width: Int = 1024, heads: Int = 8, encoder_layers: Int = 4, decoder_layers: Int = 4,
                       hidden: Int = 4 * width) {
  encoder = TransformerEncoder(width, encoder_layers, heads, hidden)
  decoder = TransformerDecoder(width, decoder_layers, heads, hidden)
  forward(src: [B, S, width], tgt: [B, T, width]) -> [B, T, width] {
    return decoder(tgt, encoder(src))
  }
}

# ------------------------------------------------------------------------------ model

## MiniGPT-5 on MiniGPT-4 (Vicuna-7B). Inputs: the image, the prompt before it (`prompt_ids`),
## the tokens after it (`input_ids`, ids up to 32008: text and the 8 vokens), their labels, the
## position in `input_ids` of each sample's [IMG0] (`voken_start`), and the SD text encoder's
## embedding of the target image's caption (`caption_embeds`).
## published: about 123M of fc + llm_to_t2i_mapping + t2i_decoder_prompt (MiniGPT-5 paper: the mapper)
## The mapper is 5.24M + 117.58M + 0.08M = 122.90M. What some stage trains is 127.17M: the
## mapper, the 9 new token rows of the input and output embeddings (0.07M) and stage 2's LoRA
## (4.19M). The whole model, without Stable Diffusion, is 7.96B.
model MiniGPT5(queries: Int = 32, vokens: Int = 8, new_tokens: Int = 9, sd_width: Int = 1024,
               sd_tokens: Int = 77, mapper_layers: Int = 4, lora: Int = 8) {
  vision_model = ViTModel(image: 224, patch: 14, width: 1408, depth: 39, heads: 16, hidden: 6144, eps: 1e-6,
                          add_pooling_layer: false)
  qformer = Blip2QFormerModel(kv_width: vision_model.width)
  param query_tokens: [1, queries, qformer.width] init normal(std: 0.02)
  llama_model = LlamaForCausalLM(lora: lora)
  llama_proj = Linear(qformer.width, llama_model.width)
  param img_token_embeddings: [new_tokens, llama_model.width] init normal(std: 0.02)
  param img_token_lm_head: [new_tokens, llama_model.width] init normal(std: 0.02)
  fc = repeat 3 as i MapperFcSlot(i, llama_model.width, sd_width)
  llm_to_t2i_mapping = TorchTransformer(sd_width, encoder_layers: mapper_layers, decoder_layers: mapper_layers)
  param t2i_decoder_prompt: [1, sd_tokens, sd_width] init normal(std: 1.0)

  input pixel_values: [B, 3, vision_model.image, vision_model.image]
  input prompt_ids: [B, P] int64
  input input_ids: [B, L] int64
  input labels: [B, L] int64
  input voken_start: [B] int64
  input caption_embeds: [B, sd_tokens, sd_width]

  forward {
    let image_embeds = vision_model(pixel_values).last_hidden_state
    let query_output = qformer(expand(query_tokens, [B, queries, qformer.width]), queries, image: image_embeds)
    let img = llama_proj(query_output)
    # the vocabulary with the new tokens: 32000 frozen rows and 9 trained ones
    let embed_table = concat([llama_model.model.embed_tokens.weight, img_token_embeddings], axis: 0)
    let head_table = concat([llama_model.lm_head.weight, img_token_lm_head], axis: 0)
    let inputs_embeds = concat([embedding(prompt_ids, embed_table), img, embedding(input_ids, embed_table)],
                               axis: 1)
    let hidden = llama_model(inputs_embeds).hidden_states
    output logits: [B, L, llama_model.vocab + new_tokens] = hidden[:, P + queries:] @ head_table.T
    # The state that predicts text position j: the official loss shifts over the whole sequence
    # (-100 on the prompt and the queries), and reads the vokens' states one position early.
    let predicting = hidden[:, P + queries - 1:-1]
    # the states that predict the vokens, mapped to Stable Diffusion's prompt embeddings
    let at_vokens = one_hot(unsqueeze(voken_start, 1) + unsqueeze(arange(vokens), 0), L)
    let voken_hidden = at_vokens @ predicting
    let prompt_queries = expand(t2i_decoder_prompt, [B, sd_tokens, sd_width])
    let prompt_embeds = llm_to_t2i_mapping(fc(voken_hidden), prompt_queries)
    output prompt_embeds: [B, sd_tokens, sd_width] = prompt_embeds
    let text_loss = cross_entropy(predicting @ head_table.T, labels, axis: -1)
    let caption_loss = mse(prompt_embeds, caption_embeds)
    loss text = text_loss
    loss caption = caption_loss
    loss weighted = 0.01 * text_loss + 0.1 * caption_loss
  }

  task generate { outputs: logits, prompt_embeds }
  task interleaved_generation { losses: weighted }
  stage unimodal_alignment {
    train: fc, llm_to_t2i_mapping, t2i_decoder_prompt, img_token_embeddings, img_token_lm_head
    freeze: vision_model, qformer, query_tokens, llama_proj, llama_model
    tasks: interleaved_generation
  }
  stage multimodal_learning {
    train: llama_model.**.lora_A, llama_model.**.lora_B, llm_to_t2i_mapping, img_token_embeddings, img_token_lm_head
    freeze: vision_model, qformer, query_tokens, llama_proj, llama_model, fc, t2i_decoder_prompt
    tasks: interleaved_generation
  }

  ## The official checkpoints' resized tables: the 9 new rows after the vocabulary's; the EVA
  ## ViT under `Blip2VisionModel`'s names.
  default layout official with hf_blip {
    "{llama_model.model.embed_tokens.weight,img_token_embeddings}": split("llama_model.model.embed_tokens.weight")
    "{llama_model.lm_head.weight,img_token_lm_head}": split("llama_model.lm_head.weight")
  }
}

model MiniGPT5_Tiny = MiniGPT5(queries: 4, sd_width: 64, sd_tokens: 8, mapper_layers: 2, lora: 4) with {
  vision_model = ViTModel(image: 32, patch: 8, width: 64, depth: 2, heads: 4, hidden: 128, eps: 1e-6,
                          add_pooling_layer: false)
  qformer.width = 64
  qformer.depth = 2
  qformer.heads = 4
  qformer.hidden = 128
  llama_model = LlamaForCausalLM(vocab: 500, width: 64, depth: 2, heads: 4, hidden: 128, lora: 4)
}
