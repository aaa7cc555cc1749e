"""CoCa (Yu et al., 2022) as OpenCLIP implements it (the stdlib header takes its names from it).

Provenance: mlfoundations/open_clip, tag v3.2.0 (the last releases whose towers use
nn.MultiheadAttention, as stdlib/models/coca.mm's header describes): src/open_clip/coca_model.py
(CoCa.__init__, _encode_image, _encode_text, forward with output_labels=True),
src/open_clip/transformer.py (VisionTransformer with attentional_pool="cascade": _embeds,
_pool, forward; AttentionalPooler; ResidualAttentionBlock; Transformer; TextTransformer with
embed_cls=True: _build_additive_mask in its default legacy mode correct_cls_mask=False, _embeds,
forward; MultimodalTransformer), src/open_clip/model.py (_build_text_tower/_build_vision_tower:
output_dim = embed_dim, text proj_type "linear" without bias -> text_projection parameter),
src/open_clip/loss.py (ClipLoss, CoCaLoss with pad_id 0: caption cross-entropy ignoring
token 0), training defaults --coca-contrastive-loss-weight 1, --coca-caption-loss-weight 2.
Written anew in plain torch (torch.nn.MultiheadAttention, as OpenCLIP v3.2.0 uses it, for the
official parameter names); GELU (erf), LayerNorm eps 1e-5.

The attentional pooler option is "cascade" (the paper's default, which the stdlib chose:
OpenCLIP's own released CoCa configs use a single pooler, attentional_pool=true). embed_dim is
the text width, the poolers have the vision heads and the stdlib's query counts; the text
context is the length of the stdlib's `tokens` input (the OpenCLIP model is fed the whole
tokenized text and drops the last position for the decoder itself). OpenCLIP's cascade builds
`ln_post` with embed_dim and `attn_pool_contrastive` with context_dim = vision width, so it only
runs when the vision width equals embed_dim (not the case for CoCa_Tiny: 48 against 64).
OpenCLIP's cascade leaves the contrastive pooler's query axis in (image_features [B, 1, D]);
it is squeezed here, as any working use must.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from collections import OrderedDict

MODELS = ["CoCa_Base_Tiny", "CoCa_Tiny"]
SOURCE = "mlfoundations/open_clip v3.2.0 (coca_model.py)"  # the official code followed, for stdlib/README.md

# model: (image, patch, vision width, vision layers, vision heads, vision mlp, queries,
#         vocab, text length (tokens input), text width, text layers, text heads, text mlp)
SIZES = {
    "CoCa_Base_Tiny": (32, 8, 64, 2, 4, 128, 8, 1000, 16, 64, 2, 4, 128),
    "CoCa_Tiny": (32, 8, 48, 2, 4, 96, 8, 1000, 16, 64, 2, 4, 128),
}


class ResidualAttentionBlock(nn.Module):
    def __init__(self, d, heads, mlp, eps, is_cross_attention=False):
        super().__init__()
        self.ln_1 = nn.LayerNorm(d, eps=eps)
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        if is_cross_attention:
            self.ln_1_kv = nn.LayerNorm(d, eps=eps)
        self.ln_2 = nn.LayerNorm(d, eps=eps)
        self.mlp = nn.Sequential(OrderedDict([("c_fc", nn.Linear(d, mlp)), ("gelu", nn.GELU()),
                                              ("c_proj", nn.Linear(mlp, d))]))

    def forward(self, q_x, k_x=None, attn_mask=None):
        if k_x is not None and hasattr(self, "ln_1_kv"):
            k_x = self.ln_1_kv(k_x)
        q = self.ln_1(q_x)
        kv = q if k_x is None else k_x
        x = q_x + self.attn(q, kv, kv, need_weights=False, attn_mask=attn_mask)[0]
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, d, layers, heads, mlp, eps):
        super().__init__()
        self.resblocks = nn.ModuleList([ResidualAttentionBlock(d, heads, mlp, eps) for _ in range(layers)])

    def forward(self, x, attn_mask=None):
        for r in self.resblocks:
            x = r(x, attn_mask=attn_mask)
        return x


class AttentionalPooler(nn.Module):
    def __init__(self, d_model, context_dim, heads, queries, eps):
        super().__init__()
        self.query = nn.Parameter(torch.randn(queries, d_model))
        self.attn = nn.MultiheadAttention(d_model, heads, kdim=context_dim, vdim=context_dim, batch_first=True)
        self.ln_q = nn.LayerNorm(d_model, eps=eps)
        self.ln_k = nn.LayerNorm(context_dim, eps=eps)

    def forward(self, x):
        x = self.ln_k(x)
        q = self.ln_q(self.query).unsqueeze(0).expand(x.shape[0], -1, -1)
        return self.attn(q, x, x, need_weights=False)[0]


class VisionTransformer(nn.Module):
    """attentional_pool="cascade", output_tokens=True."""

    def __init__(self, image, patch, width, layers, heads, mlp, output_dim, queries, eps):
        super().__init__()
        grid = image // patch
        self.conv1 = nn.Conv2d(3, width, patch, stride=patch, bias=False)
        self.class_embedding = nn.Parameter(width ** -0.5 * torch.randn(width))
        self.positional_embedding = nn.Parameter(width ** -0.5 * torch.randn(grid * grid + 1, width))
        self.ln_pre = nn.LayerNorm(width, eps=eps)
        self.transformer = Transformer(width, layers, heads, mlp, eps)
        self.attn_pool = AttentionalPooler(output_dim, width, heads, queries, eps)
        self.attn_pool_contrastive = AttentionalPooler(output_dim, width, heads, 1, eps)
        self.ln_post = nn.LayerNorm(output_dim, eps=eps)
        self.proj = nn.Parameter(width ** -0.5 * torch.randn(output_dim, output_dim))

    def forward(self, x):
        x = self.conv1(x).flatten(2).permute(0, 2, 1)
        x = torch.cat([self.class_embedding.view(1, 1, -1).expand(x.shape[0], -1, -1), x], 1)
        x = self.ln_pre(x + self.positional_embedding)
        x = self.transformer(x)
        x = self.ln_post(x)
        tokens = self.attn_pool(x)
        pooled = self.attn_pool_contrastive(tokens)
        return (pooled @ self.proj).squeeze(1), tokens


class TextTransformer(nn.Module):
    """embed_cls=True, causal, pad_id 0, correct_cls_mask=False (the default), output_tokens."""

    def __init__(self, context, vocab, width, layers, heads, mlp, output_dim, eps):
        super().__init__()
        self.heads = heads
        self.token_embedding = nn.Embedding(vocab, width)
        self.cls_emb = nn.Parameter(torch.empty(width).normal_(std=0.01))
        self.positional_embedding = nn.Parameter(torch.empty(context + 1, width).normal_(std=0.01))
        self.transformer = Transformer(width, layers, heads, mlp, eps)
        self.ln_final = nn.LayerNorm(width, eps=eps)
        self.text_projection = nn.Parameter(torch.empty(width, output_dim).normal_(std=width ** -0.5))

    def forward(self, text):
        b, n = text.shape
        x = torch.cat([self.token_embedding(text), self.cls_emb.view(1, 1, -1).expand(b, -1, -1)], 1)
        t = n + 1
        causal = torch.full((t, t), float("-inf")).triu(1)
        valid = torch.cat([torch.ones(b, 1, dtype=torch.bool), text != 0], 1)  # legacy cls mask
        add = torch.zeros(b, t, t).masked_fill(~valid.unsqueeze(1).expand(-1, t, -1), float("-inf"))
        mask = (causal.unsqueeze(0) + add).repeat_interleave(self.heads, 0)
        x = self.transformer(x + self.positional_embedding[:t], attn_mask=mask)
        pooled = self.ln_final(x[:, -1])
        return pooled @ self.text_projection, x[:, :-1]


class MultimodalTransformer(nn.Module):
    def __init__(self, width, layers, heads, mlp, vocab, eps):
        super().__init__()
        self.resblocks = nn.ModuleList([ResidualAttentionBlock(width, heads, mlp, eps) for _ in range(layers)])
        self.cross_attn = nn.ModuleList([ResidualAttentionBlock(width, heads, mlp, eps, is_cross_attention=True)
                                         for _ in range(layers)])
        self.ln_final = nn.LayerNorm(width, eps=eps)
        self.text_projection = nn.Parameter(torch.empty(width, vocab).normal_(std=width ** -0.5))

    def forward(self, image_embs, text_embs):
        t = text_embs.shape[1]
        causal = torch.full((t, t), float("-inf")).triu(1)
        for r, c in zip(self.resblocks, self.cross_attn):
            text_embs = r(text_embs, attn_mask=causal)
            text_embs = c(text_embs, k_x=image_embs)
        return self.ln_final(text_embs) @ self.text_projection


class CoCa(nn.Module):
    def __init__(self, model, eps=1e-5):
        super().__init__()
        image, patch, vw, vl, vh, vm, queries, vocab, ctx, tw, tl, th, tm = SIZES[model]
        self.text = TextTransformer(ctx, vocab, tw, tl, th, tm, tw, eps)
        self.visual = VisionTransformer(image, patch, vw, vl, vh, vm, tw, queries, eps)
        self.text_decoder = MultimodalTransformer(tw, tl, th, tm, vocab, eps)
        self.logit_scale = nn.Parameter(torch.tensor(2.6592))

    def forward(self, image, text):
        image_latent, image_embs = self.visual(image)
        image_latent = F.normalize(image_latent, dim=-1)
        text_latent, token_embs = self.text(text)
        text_latent = F.normalize(text_latent, dim=-1)
        labels = text[:, 1:]
        logits = self.text_decoder(image_embs, token_embs[:, :-1])
        # ClipLoss (world size 1) and CoCaLoss(caption_loss_weight=2, clip_loss_weight=1, pad_id=0)
        lpi = self.logit_scale.exp() * image_latent @ text_latent.t()
        gt = torch.arange(len(lpi))
        clip = (F.cross_entropy(lpi, gt) + F.cross_entropy(lpi.t(), gt)) / 2
        caption = F.cross_entropy(logits.permute(0, 2, 1), labels, ignore_index=0)
        return {"image_features": image_latent, "text_features": text_latent, "logits_per_image": lpi,
                "caption_logits": logits, "loss_contrastive": 1.0 * clip, "loss_caption": 2.0 * caption}


def build(model, control):
    """control: every LayerNorm's eps 1e-5 becomes 1e-3 (must fail)."""
    m = CoCa(model, eps=1e-3 if control else 1e-5)
    return m, lambda mod, inp: mod(inp["image"], inp["tokens"])
