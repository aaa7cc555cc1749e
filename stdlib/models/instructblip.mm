# InstructBLIP (Dai et al., 2023): BLIP-2 instruction-tuned, with an instruction-aware
# Q-Former. The instruction's tokens enter the Q-Former's self-attention together with the 32
# queries (and go through the text FFN), so the queries extract the visual features the
# instruction asks for; only the query outputs are projected into the LLM, which reads them
# before the instruction itself. The EVA ViT-g and the LLM (Vicuna-7B v1.1) are frozen;
# instruction tuning trains the Q-Former (initialized from BLIP-2's stage 1), the query tokens
# and the projection.
#
# Names are Hugging Face's `InstructBlipForConditionalGeneration` (vision_model, query_tokens,
# qformer.{embeddings, encoder}, language_projection, language_model); HF's conversion keeps
# Vicuna's vocabulary at 32001 (LAVIS adds a [PAD] token). Exceptions are the towers' (EVA's
# qkv bias, see towers/vit.mm).

import { Linear } from "std/nn/layers.mm"
import "std/towers/vit.mm"
import "std/fusion/qformer.mm"
import "std/towers/llama.mm"

## InstructBLIP with Vicuna-7B (HF `Salesforce/instructblip-vicuna-7b`).
## published: about 7.9B (models.md; counts ViT-g, query tokens, Q-Former with embeddings and text FFN, projection, Vicuna-7B)
## Hugging Face's Salesforce/instructblip-vicuna-7b holds the same 7.91B (Vicuna's vocabulary
## is 32001 there).
model InstructBLIP_Vicuna7B(queries: Int = 32) {
  vision_model = ViTModel(image: 224, patch: 14, width: 1408, depth: 39, heads: 16, hidden: 6144, eps: 1e-6,
                          add_pooling_layer: false)
  # Hugging Face's checkpoints name the EVA ViT as `Blip2VisionModel` does.
  default layout hf_blip
  qformer = InstructBlipQFormerModel(queries, kv_width: vision_model.width)
  param query_tokens: [1, queries, qformer.width] init normal(std: 0.02)
  language_model = LlamaForCausalLM(vocab: 32001)
  language_projection = Linear(qformer.width, language_model.width)

  input pixel_values: [B, 3, vision_model.image, vision_model.image]
  input qformer_input_ids: [B, I] int64
  input qformer_attention_mask: [B, I] bool
  input input_ids: [B, L] int64
  input labels: [B, L] int64

  forward {
    let image_embeds = vision_model(pixel_values).last_hidden_state
    let query_embeds = expand(query_tokens, [B, queries, qformer.width])
    let not_padding = concat([ones([B, queries], dtype: "bool"), qformer_attention_mask], axis: 1)
    let mask = reshape(not_padding, [B, 1, 1, queries + I])
    let query_output = qformer(qformer_input_ids, query_embeds, image: image_embeds, mask: mask)[:, 0:queries]
    let prefix = language_projection(query_output)
    let text = language_model.model.embed_tokens(input_ids)
    let logits = language_model(concat([prefix, text], axis: 1)).logits[:, queries:]
    output logits: [B, L, language_model.vocab] = logits
    loss lm = cross_entropy(logits[:, 0:-1], labels[:, 1:], axis: -1)
  }

  task generate { outputs: logits }
  task instruction_following { losses: lm }
  stage instruction_tuning {
    train: query_tokens, qformer, language_projection
    freeze: vision_model, language_model
    tasks: instruction_following
  }
}

model InstructBLIP_Vicuna7B_Tiny = InstructBLIP_Vicuna7B(queries: 4) with {
  vision_model = ViTModel(image: 32, patch: 8, width: 64, depth: 2, heads: 4, hidden: 128, eps: 1e-6,
                          add_pooling_layer: false)
  qformer = InstructBlipQFormerModel(4, width: 64, depth: 2, heads: 4, hidden: 128, kv_width: 64, vocab: 1000,
                                     positions: 64)
  language_model = LlamaForCausalLM(vocab: 1000, width: 64, depth: 2, heads: 4, hidden: 128)
}
