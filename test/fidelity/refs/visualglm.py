"""VisualGLM-6B: SAT's EVA ViT + Q-Former (image_encoder), glm_proj, ChatGLM-6B.

Provenance:
- THUDM/VisualGLM-6B commit e314fb9: model/blip2.py (EVAViT: class token = word embedding 0
  ahead of the patches, learned positions, `ln_vision` final mixin (nn.LayerNorm, eps 1e-5);
  QFormer: query ids arange(32) through word_embeddings, no positions, exact GELU, full
  masks; BLIP2: glm_proj(qformer(vit(image)))), model/visualglm.py (ImageMixin: the 32 image
  embeddings replace the pads after the text before the image).
- THUDM/SwissArmyTransformer commit 63dc23a: sat/model/official/vit_model.py (ViTModel: exact
  GELU, ImagePatchEmbeddingMixin conv with bias, position_embeddings.weight added),
  sat/transformer_defaults.py (attention_forward_default: query_key_value split in three
  contiguous blocks q | k | v; cross_attention_forward_default: query, key_value split k | v;
  standard_attention q / sqrt(d); layer_forward_default: pre-LN, and post-LN where
  attention_input = input_layernorm(x), h = attention_input + attn, mlp_input =
  post_attention_layernorm(h), cross: mlp_input = post_cross_attention_layernorm(mlp_input +
  cross_attention(mlp_input)), out = mlp_input + mlp(mlp_input)), sat/model/transformer.py
  (final_layernorm when use_final_layernorm).
- ChatGLM-6B as THUDM's Hugging Face release has it (THUDM/chatglm-6b modeling_chatglm.py,
  the names of THUDM/visualglm-6b: transformer.word_embeddings, transformer.layers.N.
  {input_layernorm, attention.{query_key_value, dense}, post_attention_layernorm,
  mlp.{dense_h_to_4h, dense_4h_to_h}}, transformer.final_layernorm, lm_head):
  query_key_value viewed as [heads, 3 * head_dim] (per-head q | k | v), 2D rotary position
  embedding (rotate-half, dim head_dim / 2, base 10000: the first half of each head rotated by
  position_ids, the second by block_position_ids), attention_mask True = masked (-10000),
  GLMBlock residuals `attention_input * alpha + attention_output`, `mlp_input * alpha +
  mlp_output` with alpha = sqrt(2 * num_layers), LayerNorm eps 1e-5, tanh-approximated GELU,
  the loss CrossEntropy(logits[..., :-1], labels[..., 1:], ignore_index=-100).
mm's inputs map to the sequence [pre_image_ids | 32 image embeddings | input_ids], labels
[-100 x (P + 32) | labels] (the official finetune labels are -100 on the prompt and image).
Written anew in plain torch. Sizes: stdlib/models/visualglm.mm's VisualGLM_6B_Tiny.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

MODELS = ["VisualGLM_6B_Tiny"]
SOURCE = "THUDM/VisualGLM-6B e314fb9, THUDM/SwissArmyTransformer 63dc23a"  # the official code followed, for stdlib/README.md
LAYOUT = "sat"  # SwissArmyTransformer's names (`query_key_value`, `dense`), the model's default


def gelu_tanh(x):
    return 0.5 * x * (1.0 + torch.tanh(0.7978845608028654 * x * (1.0 + 0.044715 * x * x)))


def sdpa(q, k, v):
    return ((q / math.sqrt(q.shape[-1])) @ k.transpose(-1, -2)).softmax(-1) @ v


# ------------------------------------------------------------------------- SAT parts
class SatSelfAttention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.query_key_value = nn.Linear(width, 3 * width)
        self.dense = nn.Linear(width, width)

    def forward(self, x):
        b, t, w = x.shape
        q, k, v = (y.view(b, t, self.heads, -1).transpose(1, 2) for y in self.query_key_value(x).chunk(3, -1))
        return self.dense(sdpa(q, k, v).transpose(1, 2).reshape(b, t, w))


class SatCrossAttention(nn.Module):
    def __init__(self, width, heads, kv_width):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(width, width)
        self.key_value = nn.Linear(kv_width, 2 * width)
        self.dense = nn.Linear(width, width)

    def forward(self, x, enc):
        b, t, w = x.shape
        sp = lambda y: y.view(b, y.shape[1], self.heads, -1).transpose(1, 2)
        k, v = self.key_value(enc).chunk(2, -1)
        return self.dense(sdpa(sp(self.query(x)), sp(k), sp(v)).transpose(1, 2).reshape(b, t, w))


class SatMLP(nn.Module):
    def __init__(self, width, hidden, act):
        super().__init__()
        self.act = act
        self.dense_h_to_4h, self.dense_4h_to_h = nn.Linear(width, hidden), nn.Linear(hidden, width)

    def forward(self, x):
        return self.dense_4h_to_h(self.act(self.dense_h_to_4h(x)))


class SatLayer(nn.Module):
    def __init__(self, width, heads, hidden, eps, act, order, cross=False, kv_width=None):
        super().__init__()
        self.order, self.is_decoder = order, cross
        self.input_layernorm = nn.LayerNorm(width, eps=eps)
        self.attention = SatSelfAttention(width, heads)
        self.post_attention_layernorm = nn.LayerNorm(width, eps=eps)
        if cross:
            self.cross_attention = SatCrossAttention(width, heads, kv_width)
            self.post_cross_attention_layernorm = nn.LayerNorm(width, eps=eps)
        self.mlp = SatMLP(width, hidden, act)

    def forward(self, x, enc=None):
        a = self.input_layernorm(x)
        if self.order == "pre":
            h = x + self.attention(a)
            return h + self.mlp(self.post_attention_layernorm(h))
        m = self.post_attention_layernorm(a + self.attention(a))
        if self.is_decoder:
            m = self.post_cross_attention_layernorm(m + self.cross_attention(m, enc))
        return m + self.mlp(m)


class Mixins(nn.Module):
    pass


class PatchEmbeddingMixin(nn.Module):
    def __init__(self, width, patch):
        super().__init__()
        self.proj = nn.Conv2d(3, width, patch, stride=patch)


class LNFinalyMixin(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.ln_vision = nn.LayerNorm(width)


class ViTTransformer(nn.Module):
    def __init__(self, width, depth, heads, hidden, eps, positions, act):
        super().__init__()
        self.word_embeddings = nn.Embedding(1, width)
        self.position_embeddings = nn.Embedding(positions, width)
        self.layers = nn.ModuleList([SatLayer(width, heads, hidden, eps, act, "pre") for _ in range(depth)])


class EVAViT(nn.Module):
    def __init__(self, image, patch, width, depth, heads, hidden, eps=1e-6, act=F.gelu):
        super().__init__()
        self.mixins = Mixins()
        self.mixins.patch_embedding = PatchEmbeddingMixin(width, patch)
        self.mixins.cls = LNFinalyMixin(width)
        self.transformer = ViTTransformer(width, depth, heads, hidden, eps, (image // patch) ** 2 + 1, act)

    def forward(self, image):
        b = image.shape[0]
        tr = self.transformer
        cls = tr.word_embeddings(torch.zeros(b, 1, dtype=torch.long))
        p = self.mixins.patch_embedding.proj(image).flatten(2).transpose(1, 2)
        x = torch.cat([cls, p], 1) + tr.position_embeddings.weight.unsqueeze(0)
        for layer in tr.layers:
            x = layer(x)
        return self.mixins.cls.ln_vision(x)  # use_final_layernorm False; the cls mixin's final_forward


class QFormerTransformer(nn.Module):
    def __init__(self, queries, width, depth, heads, hidden, kv_width, eps):
        super().__init__()
        self.word_embeddings = nn.Embedding(queries, width)
        self.layers = nn.ModuleList([SatLayer(width, heads, hidden, eps, F.gelu, "post", i % 2 == 0, kv_width)
                                     for i in range(depth)])
        self.final_layernorm = nn.LayerNorm(width, eps=eps)


class QFormer(nn.Module):
    def __init__(self, queries, width, depth, heads, hidden, kv_width, eps=1e-12):
        super().__init__()
        self.queries = queries
        self.transformer = QFormerTransformer(queries, width, depth, heads, hidden, kv_width, eps)

    def forward(self, enc):
        tr = self.transformer
        x = tr.word_embeddings(torch.arange(self.queries).unsqueeze(0).expand(enc.shape[0], -1))
        for layer in tr.layers:
            x = layer(x, enc)
        return tr.final_layernorm(x)


class BLIP2(nn.Module):
    def __init__(self, act):
        super().__init__()
        self.vit = EVAViT(32, 8, 64, 2, 4, 128, act=act)
        self.qformer = QFormer(4, 64, 2, 4, 128, 64)
        self.glm_proj = nn.Linear(64, 64)

    def forward(self, image):
        return self.glm_proj(self.qformer(self.vit(image)))


# ---------------------------------------------------------------------- ChatGLM-6B (HF)
def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def rotary(x, pos, dim, base=10000.0):
    """x: [b, heads, t, dim]; pos: [b, t]."""
    inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2).float() / dim))
    freqs = pos.float().unsqueeze(-1) * inv_freq
    emb = torch.cat((freqs, freqs), -1).unsqueeze(1)
    return x * emb.cos() + rotate_half(x) * emb.sin()


class GLMSelfAttention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.query_key_value = nn.Linear(width, 3 * width)
        self.dense = nn.Linear(width, width)

    def forward(self, x, pos, block_pos, mask):
        b, t, w = x.shape
        d = w // self.heads
        q, k, v = self.query_key_value(x).view(b, t, self.heads, 3 * d).transpose(1, 2).split(d, -1)
        (q1, q2), (k1, k2) = q.chunk(2, -1), k.chunk(2, -1)
        q = torch.cat([rotary(q1, pos, d // 2), rotary(q2, block_pos, d // 2)], -1)
        k = torch.cat([rotary(k1, pos, d // 2), rotary(k2, block_pos, d // 2)], -1)
        s = (q / math.sqrt(d)) @ k.transpose(-1, -2)
        s = s.masked_fill(mask, -10000.0)
        o = (s.float().softmax(-1) @ v).transpose(1, 2).reshape(b, t, w)
        return self.dense(o)


class GLMBlock(nn.Module):
    def __init__(self, width, heads, hidden, num_layers, eps=1e-5):
        super().__init__()
        self.num_layers = num_layers
        self.input_layernorm = nn.LayerNorm(width, eps=eps)
        self.attention = GLMSelfAttention(width, heads)
        self.post_attention_layernorm = nn.LayerNorm(width, eps=eps)
        self.mlp = SatMLP(width, hidden, gelu_tanh)

    def forward(self, x, pos, block_pos, mask):
        alpha = (2 * self.num_layers) ** 0.5
        a = self.input_layernorm(x)
        h = a * alpha + self.attention(a, pos, block_pos, mask)
        m = self.post_attention_layernorm(h)
        return m * alpha + self.mlp(m)


class ChatGLMModel(nn.Module):
    def __init__(self, vocab, width, depth, heads, hidden, eps=1e-5):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab, width)
        self.layers = nn.ModuleList([GLMBlock(width, heads, hidden, depth, eps) for _ in range(depth)])
        self.final_layernorm = nn.LayerNorm(width, eps=eps)

    def forward(self, x, pos, block_pos, mask):
        for layer in self.layers:
            x = layer(x, pos, block_pos, mask)
        return self.final_layernorm(x)


class VisualGLM(nn.Module):
    def __init__(self, act):
        super().__init__()
        self.transformer = ChatGLMModel(1000, 64, 2, 4, 128)
        self.image_encoder = BLIP2(act)
        self.lm_head = nn.Linear(64, 1000, bias=False)

    def forward(self, image, pre_image_ids, input_ids, position_ids, block_position_ids, attention_mask, labels):
        we = self.transformer.word_embeddings
        img = self.image_encoder(image)
        x = torch.cat([we(pre_image_ids), img, we(input_ids)], 1)
        logits = self.lm_head(self.transformer(x, position_ids, block_position_ids, attention_mask.bool()))
        n = pre_image_ids.shape[1] + img.shape[1]
        full = torch.cat([torch.full((labels.shape[0], n), -100, dtype=labels.dtype), labels], 1)
        v = logits.shape[-1]
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, v), full[:, 1:].reshape(-1), ignore_index=-100)
        return {"logits": logits[:, n:], "loss_lm": loss}


def build(model, control):
    """control: ln_vision's eps 1e-5 becomes 1e-2 (must fail)."""
    assert model == "VisualGLM_6B_Tiny", model
    m = VisualGLM(F.gelu)
    if control:
        m.image_encoder.vit.mixins.cls.ln_vision.eps = 1e-2
    keys = ["image", "pre_image_ids", "input_ids", "position_ids", "block_position_ids", "attention_mask", "labels"]
    return m, lambda mod, inp: mod(*(inp[k] for k in keys))
