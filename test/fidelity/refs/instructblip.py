"""InstructBLIP with Vicuna-7B: the instruction-aware Q-Former and a LLaMA language model,
with Hugging Face's state-dict names.

Provenance: huggingface/transformers, src/transformers/models/instructblip/
modeling_instructblip.py (v4.46 era, the prepending form: InstructBlipQFormerEmbeddings (word +
absolute position embeddings of the instruction, concatenated after the query tokens, then
`layernorm`), InstructBlipQFormerModel/Encoder/Layer (the instruction shares the queries'
self-attention under the padding mask [ones(Q), qformer_attention_mask] as an additive
(1 - m) * -10000 mask, the queries alone take the cross-attention into the image and the query
FFN, the instruction the text FFN `intermediate`/`output`), InstructBlipVisionModel (= BLIP-2's
EVA ViT-g: packed qkv with one bias, layer_norm_eps 1e-6, gelu, post_layernorm), and
InstructBlipForConditionalGeneration.forward: the query outputs [:, :Q] projected and
prepended to the LLM's input embeddings, the LM loss on logits[:, -L:] shifted, mean
cross-entropy. (Newer releases put Q image placeholder tokens in input_ids and masked_scatter
the projected queries into them; with the placeholders first, as the processor writes them,
that is the same computation.) The language model is transformers' modeling_llama.py
LlamaForCausalLM as configured for Vicuna-7B v1.1 (RMSNorm eps 1e-6, rotary embeddings with
base 10000 and the rotate_half convention, SiLU-gated MLP, no biases, untied lm_head). The
same architecture is salesforce/LAVIS, lavis/models/blip2_models/blip2_vicuna_instruct.py
(Blip2VicunaInstruct.forward), whose Q-Former is Qformer.py's BertModel. Written anew in plain
torch; the vision tower and the Q-Former layers are refs/blip2.py's (the same HF classes).
mm's `logits` are the text positions (HF's loss slice logits[:, -L:]). Sizes are the stdlib's
_Tiny variant (stdlib/models/instructblip.mm).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

MODELS = ["InstructBLIP_Vicuna7B_Tiny"]
SOURCE = "huggingface/transformers (modeling_instructblip.py, v4.46 era)"  # the official code followed, for stdlib/README.md
LAYOUT = "hf_blip"  # the ViT under Hugging Face's `InstructBlipVisionModel` names, the model's default

import blip2  # refs/ is on the path (run.py)

QUERIES = 4
QF = dict(width=64, depth=2, heads=4, hidden=128, kv_width=64, vocab=1000, positions=64)
LM = dict(vocab=1000, width=64, depth=2, heads=4, hidden=128)


class InstructBlipQFormerEmbeddings(nn.Module):
    def __init__(self, vocab, positions, width, eps=1e-12):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab, width)
        self.position_embeddings = nn.Embedding(positions, width)
        self.layernorm = nn.LayerNorm(width, eps=eps)

    def forward(self, input_ids, query_embeds):
        e = self.word_embeddings(input_ids) + self.position_embeddings(torch.arange(input_ids.shape[1])[None])
        return self.layernorm(torch.cat([query_embeds, e], dim=1))


class InstructBlipQFormerModel(nn.Module):
    def __init__(self, width, depth, heads, hidden, kv_width, vocab, positions, cross_every=2, eps=1e-12):
        super().__init__()
        self.embeddings = InstructBlipQFormerEmbeddings(vocab, positions, width, eps)
        self.encoder = blip2.QFormerEncoder(width, depth, heads, hidden, kv_width, cross_every, True, eps)

    def forward(self, input_ids, attention_mask, query_embeds, image):
        x = self.embeddings(input_ids, query_embeds)
        m = blip2.additive(attention_mask)
        for layer in self.encoder.layer:
            x = layer(x, m, image, query_embeds.shape[1])
        return x


# ------------------------------------------------------------------------------ LLaMA

class LlamaRMSNorm(nn.Module):
    def __init__(self, width, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(width))
        self.eps = eps

    def forward(self, x):
        v = x.float().pow(2).mean(-1, keepdim=True)
        return self.weight * (x.float() * torch.rsqrt(v + self.eps)).to(x.dtype)


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


class LlamaAttention(nn.Module):
    def __init__(self, width, heads, base=10000.0):
        super().__init__()
        self.heads, self.d = heads, width // heads
        self.base = base
        self.q_proj = nn.Linear(width, width, bias=False)
        self.k_proj = nn.Linear(width, width, bias=False)
        self.v_proj = nn.Linear(width, width, bias=False)
        self.o_proj = nn.Linear(width, width, bias=False)

    def forward(self, x):
        b, t, w = x.shape
        split = lambda y: y.view(b, t, self.heads, self.d).transpose(1, 2)
        q, k, v = split(self.q_proj(x)), split(self.k_proj(x)), split(self.v_proj(x))
        inv_freq = 1.0 / (self.base ** (torch.arange(0, self.d, 2).float() / self.d))
        freqs = torch.arange(t).float()[:, None] * inv_freq[None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos()[None, None], emb.sin()[None, None]
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        s = q @ k.transpose(-1, -2) / math.sqrt(self.d)
        s = s.masked_fill(torch.ones(t, t, dtype=torch.bool).triu(1), torch.finfo(s.dtype).min)
        o = s.float().softmax(-1).to(q.dtype) @ v
        return self.o_proj(o.transpose(1, 2).reshape(b, t, w))


class LlamaMLP(nn.Module):
    def __init__(self, width, hidden, act):
        super().__init__()
        self.gate_proj = nn.Linear(width, hidden, bias=False)
        self.up_proj = nn.Linear(width, hidden, bias=False)
        self.down_proj = nn.Linear(hidden, width, bias=False)
        self.act = act

    def forward(self, x):
        return self.down_proj(self.act(self.gate_proj(x)) * self.up_proj(x))


class LlamaDecoderLayer(nn.Module):
    def __init__(self, width, heads, hidden, act, eps):
        super().__init__()
        self.self_attn = LlamaAttention(width, heads)
        self.mlp = LlamaMLP(width, hidden, act)
        self.input_layernorm = LlamaRMSNorm(width, eps)
        self.post_attention_layernorm = LlamaRMSNorm(width, eps)

    def forward(self, x):
        x = x + self.self_attn(self.input_layernorm(x))
        return x + self.mlp(self.post_attention_layernorm(x))


class LlamaModel(nn.Module):
    def __init__(self, vocab, width, depth, heads, hidden, act, eps):
        super().__init__()
        self.embed_tokens = nn.Embedding(vocab, width)
        self.layers = nn.ModuleList([LlamaDecoderLayer(width, heads, hidden, act, eps) for _ in range(depth)])
        self.norm = LlamaRMSNorm(width, eps)


class LlamaForCausalLM(nn.Module):
    def __init__(self, vocab, width, depth, heads, hidden, act=F.silu, eps=1e-6):
        super().__init__()
        self.model = LlamaModel(vocab, width, depth, heads, hidden, act, eps)
        self.lm_head = nn.Linear(width, vocab, bias=False)

    def forward(self, inputs_embeds):
        x = inputs_embeds
        for layer in self.model.layers:
            x = layer(x)
        return self.lm_head(self.model.norm(x))


class InstructBlipVicuna(nn.Module):
    def __init__(self, act=F.silu):
        super().__init__()
        self.vision_model = blip2.vision_model()
        self.query_tokens = nn.Parameter(torch.zeros(1, QUERIES, QF["width"]))
        self.qformer = InstructBlipQFormerModel(QF["width"], QF["depth"], QF["heads"], QF["hidden"], QF["kv_width"],
                                                QF["vocab"], QF["positions"])
        self.language_model = LlamaForCausalLM(LM["vocab"], LM["width"], LM["depth"], LM["heads"], LM["hidden"], act)
        self.language_projection = nn.Linear(QF["width"], LM["width"])

    def forward(self, pixel_values, qformer_input_ids, qformer_attention_mask, input_ids, labels):
        image_embeds = self.vision_model(pixel_values)
        query_tokens = self.query_tokens.expand(image_embeds.shape[0], -1, -1)
        query_attention_mask = torch.ones(query_tokens.shape[:-1], dtype=torch.long)
        mask = torch.cat([query_attention_mask, qformer_attention_mask.long()], dim=1)
        query_output = self.qformer(qformer_input_ids, mask, query_tokens, image_embeds)[:, : query_tokens.shape[1], :]
        inputs = self.language_projection(query_output)
        embeds = torch.cat([inputs, self.language_model.model.embed_tokens(input_ids)], dim=1)
        logits = self.language_model(embeds)[:, -labels.shape[1]:, :]
        shift_logits, shift_labels = logits[..., :-1, :].contiguous(), labels[..., 1:].contiguous()
        loss = F.cross_entropy(shift_logits.view(-1, shift_logits.shape[-1]), shift_labels.view(-1))
        return {"logits": logits, "loss_lm": loss}


def build(model, control):
    """The reference for `model`; control: the LLaMA MLP's SiLU becomes x * sigmoid(1.05 x) (must fail)."""
    act = (lambda x: x * torch.sigmoid(1.05 * x)) if control else F.silu
    m = InstructBlipVicuna(act)
    keys = ["pixel_values", "qformer_input_ids", "qformer_attention_mask", "input_ids", "labels"]
    return m, lambda mod, inp: mod(*[inp[k] for k in keys])
