# MiniGPT-4 (Zhu et al., 2023): BLIP-2's frozen EVA ViT-g and Q-Former (32 queries; the
# weights of BLIP-2's Flan-T5-XXL release, `blip2_pretrained_flant5xxl.pth`), one trained
# linear layer (`llama_proj`, 768 -> 4096), and a frozen Vicuna-7B (v0). The projected
# queries are spliced into the conversation prompt "###Human: <Img><ImageHere></Img>
# {instruction} ###Assistant: ": here the prompt before the image (`prompt_ids`, with the BOS
# token) and the text after it (`input_ids`: the rest of the prompt and the answer, labels
# -100 on the prompt). Two stages train the projection alone:
# pretraining on about 5M image-text pairs (LAION, Conceptual Captions, SBU) and fine-tuning
# on 3.5K curated detailed descriptions.
#
# Names: MiniGPT-4's own for its new parts (`llama_proj`, `llama_model`, a HF
# `LlamaForCausalLM`); BLIP-2's Hugging Face names for the frozen BLIP-2 parts, which are
# BLIP-2's weights (`vision_model`, `query_tokens`, `qformer`). Mapping from MiniGPT-4's
# checkpoint (LAVIS names): visual_encoder.* -> vision_model.* (see towers/vit.mm),
# ln_vision -> vision_model.post_layernorm, Qformer.bert.* -> qformer.* with
# `attention.self` -> `attention.attention`; Qformer.bert.embeddings.LayerNorm ->
# qformer.layernorm (MiniGPT-4 removes the word and position embeddings, the text FFN and
# the LM head, as BLIP-2's stage 2 does).

import { Linear } from "std/nn/layers.mm"
import "std/towers/vit.mm"
import "std/fusion/qformer.mm"
import "std/towers/llama.mm"

## MiniGPT-4 with Vicuna-7B.
## published: 3.1M trainable (MiniGPT-4 paper: only the projection layer, llama_proj, is trained)
## The whole model is 7.83B ("about 7.8B"): ViT-g, Q-Former without text FFN, query tokens,
## llama_proj (768 x 4096 + 4096 = 3,149,824) and Vicuna-7B.
model MiniGPT4_Vicuna7B(queries: Int = 32) {
  vision_model = ViTModel(image: 224, patch: 14, width: 1408, depth: 39, heads: 16, hidden: 6144, eps: 1e-6,
                          add_pooling_layer: false)
  # Hugging Face's checkpoints name the EVA ViT as `Blip2VisionModel` does.
  default layout hf_blip
  qformer = Blip2QFormerModel(kv_width: vision_model.width)
  param query_tokens: [1, queries, qformer.width] init normal(std: 0.02)
  llama_model = LlamaForCausalLM()
  llama_proj = Linear(qformer.width, llama_model.width)

  input pixel_values: [B, 3, vision_model.image, vision_model.image]
  input prompt_ids: [B, P] int64
  input input_ids: [B, L] int64
  input labels: [B, L] int64

  forward {
    let image_embeds = vision_model(pixel_values).last_hidden_state
    let query_output = qformer(expand(query_tokens, [B, queries, qformer.width]), queries, image: image_embeds)
    let img = llama_proj(query_output)
    let embed = llama_model.model.embed_tokens
    let inputs_embeds = concat([embed(prompt_ids), img, embed(input_ids)], axis: 1)
    let all_logits = llama_model(inputs_embeds).logits
    output logits: [B, L, llama_model.vocab] = all_logits[:, P + queries:]
    # The official loss shifts over the whole sequence, -100 on the prompt and the queries: the
    # last query position predicts the first answer token.
    loss lm = cross_entropy(all_logits[:, P + queries - 1:-1], labels, axis: -1)
  }

  task chat { outputs: logits }
  task image_text_generation { losses: lm }
  stage pretrain {
    train: llama_proj
    freeze: vision_model, qformer, query_tokens, llama_model
    tasks: image_text_generation
  }
  stage finetune {
    train: llama_proj
    freeze: vision_model, qformer, query_tokens, llama_model
    tasks: image_text_generation
  }
}

model MiniGPT4_Vicuna7B_Tiny = MiniGPT4_Vicuna7B(queries: 4) with {
  vision_model = ViTModel(image: 32, patch: 8, width: 64, depth: 2, heads: 4, hidden: 128, eps: 1e-6,
                          add_pooling_layer: false)
  qformer.width = 64
  qformer.depth = 2
  qformer.heads = 4
  qformer.hidden = 128
  llama_model = LlamaForCausalLM(vocab: 1000, width: 64, depth: 2, heads: 4, hidden: 128)
}
