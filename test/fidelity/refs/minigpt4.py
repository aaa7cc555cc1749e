"""MiniGPT-4 (Vicuna-7B): BLIP-2's EVA ViT-g + ln_vision + Q-Former, llama_proj, LLaMA.

Provenance: Vision-CAIR/MiniGPT-4 commit d94738a: minigpt4/models/minigpt4.py (init_Qformer:
cross_attention_freq 2, word/position embeddings, text FFN and LM head removed; encode_img:
ln_vision(visual_encoder(image)) -> Qformer.bert(query_embeds=query_tokens,
encoder_hidden_states=...) -> llama_proj), minigpt4/models/base_model.py (init_vision_encoder:
ln_vision = LayerNorm(1408), torch's default eps 1e-5), minigpt4/models/eva_vit.py
(VisionTransformer: patch conv with bias, cls token, learned pos_embed, pre-LN blocks with
LayerNorm eps 1e-6, qkv without bias plus q_bias / v_bias (k unbiased), exact GELU, no final
norm), minigpt4/models/Qformer.py (BertEmbeddings: LayerNorm(query_embeds); BertLayer: self-
attention, cross-attention in layers 0, 2, ..., query FFN (intermediate_query/output_query),
post-LN eps 1e-12), minigpt4/models/minigpt_base.py (forward: targets -100 on BOS, prompt and
image; the LLaMA loss over the whole sequence) and minigpt4/models/modeling_llama.py (HF
LLaMA). State-dict names: Hugging Face's Blip2 names for the BLIP-2 parts
(transformers v4.40 modeling_blip_2.py: vision_model.embeddings.{class_embedding,
patch_embedding, position_embedding}, encoder.layers.N.{layer_norm1, self_attn.{qkv,
projection}, layer_norm2, mlp.fc1/fc2}, post_layernorm (= ln_vision); qformer.layernorm,
qformer.encoder.layer.N.{attention, crossattention, intermediate_query, output_query};
query_tokens), HF Blip2's packed qkv.bias (q | k | v, the k part a parameter there; LAVIS's is
the constant zero), and MiniGPT-4's own llama_model.* (HF LlamaForCausalLM), llama_proj.
mm's inputs map to the official sequence as [prompt_ids (with BOS) | 32 queries | input_ids]
with targets [-100 x (P + queries) | labels]. Written anew in plain torch; the LLaMA code is
refs/llava.py's. Sizes: stdlib/models/minigpt4.mm's MiniGPT4_Vicuna7B_Tiny.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

MODELS = ["MiniGPT4_Vicuna7B_Tiny"]
SOURCE = "Vision-CAIR/MiniGPT-4 d94738a"  # the official code followed, for stdlib/README.md
LAYOUT = "hf_blip"  # the ViT under Hugging Face's `Blip2VisionModel` names, the model's default


import llava  # refs/ is on the path (run.py)
LlamaForCausalLM, causal_lm_loss, full_labels = llava.LlamaForCausalLM, llava.causal_lm_loss, llava.full_labels


# ------------------------------------------------------------------ EVA ViT-g (HF names)
class Blip2Attention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width)
        self.projection = nn.Linear(width, width)

    def forward(self, x):
        b, t, w = x.shape
        d = w // self.heads
        q, k, v = self.qkv(x).reshape(b, t, 3, self.heads, d).permute(2, 0, 3, 1, 4)
        a = ((q * d ** -0.5) @ k.transpose(-1, -2)).softmax(-1)
        return self.projection((a @ v).transpose(1, 2).reshape(b, t, w))


class Blip2MLP(nn.Module):
    def __init__(self, width, hidden, act):
        super().__init__()
        self.act = act
        self.fc1, self.fc2 = nn.Linear(width, hidden), nn.Linear(hidden, width)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Blip2EncoderLayer(nn.Module):
    def __init__(self, width, heads, hidden, eps, act):
        super().__init__()
        self.layer_norm1 = nn.LayerNorm(width, eps=eps)
        self.self_attn = Blip2Attention(width, heads)
        self.layer_norm2 = nn.LayerNorm(width, eps=eps)
        self.mlp = Blip2MLP(width, hidden, act)

    def forward(self, x):
        x = x + self.self_attn(self.layer_norm1(x))
        return x + self.mlp(self.layer_norm2(x))


class Blip2Encoder(nn.Module):
    def __init__(self, width, depth, heads, hidden, eps, act):
        super().__init__()
        self.layers = nn.ModuleList([Blip2EncoderLayer(width, heads, hidden, eps, act) for _ in range(depth)])


class Blip2VisionEmbeddings(nn.Module):
    def __init__(self, image, patch, width):
        super().__init__()
        self.class_embedding = nn.Parameter(torch.zeros(1, 1, width))
        self.patch_embedding = nn.Conv2d(3, width, patch, stride=patch)
        self.position_embedding = nn.Parameter(torch.zeros(1, (image // patch) ** 2 + 1, width))

    def forward(self, pixels):
        p = self.patch_embedding(pixels).flatten(2).transpose(1, 2)
        return torch.cat([self.class_embedding.expand(p.shape[0], 1, -1), p], 1) + self.position_embedding


class Blip2VisionModel(nn.Module):
    """EVA ViT-g (blocks eps 1e-6) followed by MiniGPT-4's ln_vision (eps 1e-5) as post_layernorm."""

    def __init__(self, image, patch, width, depth, heads, hidden, act=F.gelu, ln_vision_eps=1e-5):
        super().__init__()
        self.embeddings = Blip2VisionEmbeddings(image, patch, width)
        self.encoder = Blip2Encoder(width, depth, heads, hidden, 1e-6, act)
        self.post_layernorm = nn.LayerNorm(width, eps=ln_vision_eps)

    def forward(self, pixels):
        x = self.embeddings(pixels)
        for layer in self.encoder.layers:
            x = layer(x)
        return self.post_layernorm(x)


# ------------------------------------------------------------------- Q-Former (HF names)
class BertSelfAttention(nn.Module):
    def __init__(self, width, heads, kv_width):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(width, width)
        self.key, self.value = nn.Linear(kv_width, width), nn.Linear(kv_width, width)

    def forward(self, x, ctx):
        b, t, w = x.shape
        d = w // self.heads
        sp = lambda y: y.view(b, y.shape[1], self.heads, d).transpose(1, 2)
        q, k, v = sp(self.query(x)), sp(self.key(ctx)), sp(self.value(ctx))
        a = (q @ k.transpose(-1, -2) / math.sqrt(d)).softmax(-1)
        return (a @ v).transpose(1, 2).reshape(b, t, w)


class BertOutput(nn.Module):
    """BertSelfOutput / BertOutput: LayerNorm(dense(h) + residual)."""

    def __init__(self, n_in, width, eps):
        super().__init__()
        self.dense = nn.Linear(n_in, width)
        self.LayerNorm = nn.LayerNorm(width, eps=eps)

    def forward(self, h, residual):
        return self.LayerNorm(self.dense(h) + residual)


class BertAttention(nn.Module):
    def __init__(self, width, heads, kv_width, eps):
        super().__init__()
        self.attention = BertSelfAttention(width, heads, kv_width)
        self.output = BertOutput(width, width, eps)

    def forward(self, x, ctx=None):
        return self.output(self.attention(x, x if ctx is None else ctx), x)


class BertIntermediate(nn.Module):
    def __init__(self, width, hidden):
        super().__init__()
        self.dense = nn.Linear(width, hidden)

    def forward(self, x):
        return F.gelu(self.dense(x))


class Blip2QFormerLayer(nn.Module):
    def __init__(self, width, heads, hidden, kv_width, cross, eps):
        super().__init__()
        self.attention = BertAttention(width, heads, width, eps)
        self.has_cross = cross
        if cross:
            self.crossattention = BertAttention(width, heads, kv_width, eps)
        self.intermediate_query = BertIntermediate(width, hidden)
        self.output_query = BertOutput(hidden, width, eps)

    def forward(self, x, image):
        x = self.attention(x)
        if self.has_cross:
            x = self.crossattention(x, image)
        return self.output_query(self.intermediate_query(x), x)


class Blip2QFormerEncoder(nn.Module):
    def __init__(self, width, depth, heads, hidden, kv_width, cross_every, eps):
        super().__init__()
        self.layer = nn.ModuleList([Blip2QFormerLayer(width, heads, hidden, kv_width, i % cross_every == 0, eps)
                                    for i in range(depth)])


class Blip2QFormerModel(nn.Module):
    def __init__(self, width, depth, heads, hidden, kv_width, cross_every=2, eps=1e-12):
        super().__init__()
        self.layernorm = nn.LayerNorm(width, eps=eps)
        self.encoder = Blip2QFormerEncoder(width, depth, heads, hidden, kv_width, cross_every, eps)

    def forward(self, query_embeds, image):
        x = self.layernorm(query_embeds)
        for layer in self.encoder.layer:
            x = layer(x, image)
        return x


# ------------------------------------------------------------------------- MiniGPT-4
class MiniGPT4(nn.Module):
    def __init__(self, queries=4, vision=(32, 8, 64, 2, 4, 128), qformer=(64, 2, 4, 128),
                 llama=(1000, 64, 2, 4, 128, 1e-6), act=F.gelu):
        super().__init__()
        self.vision_model = Blip2VisionModel(*vision, act=act)
        self.qformer = Blip2QFormerModel(*qformer, kv_width=vision[2])
        self.query_tokens = nn.Parameter(torch.zeros(1, queries, qformer[0]))
        self.llama_model = LlamaForCausalLM(*llama)
        self.llama_proj = nn.Linear(qformer[0], llama[1])

    def encode_img(self, pixel_values):
        image_embeds = self.vision_model(pixel_values)
        q = self.query_tokens.expand(image_embeds.shape[0], -1, -1)
        return self.llama_proj(self.qformer(q, image_embeds))

    def forward(self, pixel_values, prompt_ids, input_ids, labels):
        img = self.encode_img(pixel_values)
        emb = self.llama_model.model.embed_tokens
        logits, _ = self.llama_model(torch.cat([emb(prompt_ids), img, emb(input_ids)], 1))
        n = prompt_ids.shape[1] + img.shape[1]
        return {"logits": logits[:, n:], "loss_lm": causal_lm_loss(logits, full_labels(labels, n))}


def build(model, control):
    """control: ln_vision's eps 1e-5 becomes 1e-2 (must fail)."""
    assert model == "MiniGPT4_Vicuna7B_Tiny", model
    m = MiniGPT4()
    if control:
        m.vision_model.post_layernorm.eps = 1e-2
    return m, lambda mod, inp: mod(inp["pixel_values"], inp["prompt_ids"], inp["input_ids"], inp["labels"])
