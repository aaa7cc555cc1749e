"""MiniGPT-5: MiniGPT-4 with 9 new tokens, LoRA on Vicuna, and the voken-to-SD-prompt mapper.

Provenance: eric-ai-lab/MiniGPT-5 commit 915ab17: model.py (MiniGPT5_Model: fc =
Sequential(Linear(hidden, sd), GELU(), Linear(sd, sd)); llm_to_t2i_mapping =
nn.Transformer(batch_first=True, norm_first=True, d_model=sd, num_encoder_layers=4,
num_decoder_layers=4, dim_feedforward=4 * sd, dropout=0) with torch's defaults nhead 8, ReLU,
eps 1e-5; t2i_decoder_prompt [1, 77, sd]; forward: last_hidden_state = hidden_states[-1],
the 8 states from `seq_id`, fc, mapping(src, tgt = prompt repeated), caption_loss =
F.mse_loss, loss = 0.01 * text_loss + image_loss + 0.1 * caption_loss), minigpt4/models/
mini_gpt5.py (resize_token_embeddings to the tokenizer with [IMG0]..[IMG7] and <ImageHere>:
one embed_tokens / lm_head table of vocab + 9 rows; LoRA r 8, alpha 16 on q_proj and v_proj;
input_warp: BOS (label -100), the text before the image with its labels, the image (labels
-100), the rest; forward: output_token_index = (labels == [IMG0]).nonzero() with the sequence
index shifted by -1: the hidden states that *predict* [IMG0]..[IMG7]), constants.py
(IMG_TOKEN_NUM 8). The MiniGPT-4 part is refs/minigpt4.py's (BLIP-2 with Hugging Face names,
as stdlib/models/minigpt4.mm); nn.Transformer is torch's own module (the official code uses
it). The LLaMA tables are the official resized ones: llama_model.model.embed_tokens.weight and
llama_model.lm_head.weight with vocab + 9 rows (PEFT's modules_to_save keeps them whole); the
LoRA adapters are named as PEFT saves them, without the `base_model.model.` prefix, like
stdlib/models/minigpt5.mm. mm's inputs: the sequence is [prompt_ids (BOS first) | queries |
input_ids], labels [-100 x (P + queries) | labels], [IMG0] at P + queries + voken_start, so the
official voken states are last_hidden_state[:, P + queries + voken_start - 1 :][:8] (a
shorter sequence gives fewer, as the official slice does). Sizes: MiniGPT5_Tiny.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

MODELS = ["MiniGPT5_Tiny"]
SOURCE = "eric-ai-lab/MiniGPT-5 915ab17"  # the official code followed, for stdlib/README.md
LAYOUT = "official"  # the model's layout with the official names (the resized tables whole)
# 12 text tokens: room for the 8 vokens after voken_start (0 or 1), as in every real sample.
BIND = {"L": 12}


import minigpt4 as m4  # refs/ is on the path (run.py)

llava = m4.llava

VOKENS, NEW_TOKENS = 8, 9


class MiniGPT5(nn.Module):
    def __init__(self, queries=4, vocab=500, width=64, sd=64, sd_tokens=8, layers=2, lora=4, eps=1e-6):
        super().__init__()
        self.vision_model = m4.Blip2VisionModel(32, 8, 64, 2, 4, 128)
        self.qformer = m4.Blip2QFormerModel(64, 2, 4, 128, kv_width=64)
        self.query_tokens = nn.Parameter(torch.zeros(1, queries, 64))
        self.llama_model = llava.LlamaForCausalLM(vocab + NEW_TOKENS, width, 2, 4, 128, eps, lora=lora)
        self.llama_proj = nn.Linear(64, width)
        self.fc = nn.Sequential(nn.Linear(width, sd), nn.GELU(), nn.Linear(sd, sd))
        self.llm_to_t2i_mapping = nn.Transformer(d_model=sd, nhead=8, num_encoder_layers=layers,
                                                 num_decoder_layers=layers, dim_feedforward=4 * sd, dropout=0.0,
                                                 batch_first=True, norm_first=True)
        self.t2i_decoder_prompt = nn.Parameter(torch.zeros(1, sd_tokens, sd))

    def forward(self, pixel_values, prompt_ids, input_ids, labels, voken_start, caption_embeds):
        image_embeds = self.vision_model(pixel_values)
        q = self.query_tokens.expand(image_embeds.shape[0], -1, -1)
        img = self.llama_proj(self.qformer(q, image_embeds))
        emb = self.llama_model.model.embed_tokens
        logits, hidden = self.llama_model(torch.cat([emb(prompt_ids), img, emb(input_ids)], 1))
        n = prompt_ids.shape[1] + img.shape[1]
        text_loss = llava.causal_lm_loss(logits, llava.full_labels(labels, n))
        outs = []
        for b in range(hidden.shape[0]):
            s = n + int(voken_start[b]) - 1
            h = self.fc(hidden[b:b + 1, s:s + VOKENS])
            outs.append(self.llm_to_t2i_mapping(src=h, tgt=self.t2i_decoder_prompt.repeat(1, 1, 1)))
        prompt_embeds = torch.cat(outs, 0)
        caption_loss = F.mse_loss(prompt_embeds, caption_embeds)
        return {"logits": logits[:, n:], "prompt_embeds": prompt_embeds, "loss_text": text_loss,
                "loss_caption": caption_loss, "loss_weighted": 0.01 * text_loss + 0.1 * caption_loss}


def build(model, control):
    """control: the LayerNorm eps of ln_vision and of the mapper (1e-5) become 1e-2 (must fail)."""
    assert model == "MiniGPT5_Tiny", model
    m = MiniGPT5()
    if control:
        for mod in [m.vision_model.post_layernorm, *m.llm_to_t2i_mapping.modules()]:
            if isinstance(mod, nn.LayerNorm):
                mod.eps = 1e-2
    keys = ["pixel_values", "prompt_ids", "input_ids", "labels", "voken_start", "caption_embeds"]
    return m, lambda mod, inp: mod(*(inp[k] for k in keys))
