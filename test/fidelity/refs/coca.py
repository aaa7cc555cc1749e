"""CoCa as OpenCLIP releases it: stdlib/models/coca_openclip.mm's CoCa_ViT_B_32 and CoCa_ViT_L_14.

Provenance: mlfoundations/open_clip, tag v3.2.0 (its towers use torch.nn.MultiheadAttention,
whose parameter names the released checkpoints carry; v3.3.0 is the same here): src/open_clip/model_configs/coca_ViT-B-32.json and coca_ViT-L-14.json
(attentional_pool: true, attn_pooler_heads, embed_cls, the text and multimodal configs),
src/open_clip/coca_model.py (MultimodalCfg defaults, _build_text_decoder_tower with
output_dim = vocab_size, CoCa.__init__: logit_scale ln(1/0.07) and no logit_bias unless
init_logit_bias is given, _encode_image, _encode_text, forward with output_labels=True),
src/open_clip/transformer.py (VisionTransformer with attentional_pool=True: one
AttentionalPooler of attn_pooler_queries (256) queries, then ln_post of output_dim and
_global_pool with pool_type 'tok': output 0 is pooled, outputs 1: are the tokens, pooled @
proj; AttentionalPooler; ResidualAttentionBlock; Transformer; TextTransformer with
embed_cls=True: _build_additive_mask in its default legacy mode correct_cls_mask=False,
_embeds, forward; MultimodalTransformer), src/open_clip/model.py (CLIPVisionCfg: head_width 64,
mlp_ratio 4, pool_type 'tok'; _build_vision_tower: heads = width // head_width, output_dim =
embed_dim; _build_text_tower: output_dim = embed_dim, proj_type "linear" without bias ->
text_projection parameter), src/open_clip/loss.py (ClipLoss, CoCaLoss with pad_id 0: caption
cross-entropy ignoring token 0), src/open_clip_train/params.py (training defaults
--coca-contrastive-loss-weight 1, --coca-caption-loss-weight 2).
Written anew in plain torch (torch.nn.MultiheadAttention, as OpenCLIP v3.2.0 uses it, for the
official parameter names); GELU (erf, quick_gelu off in these configs), LayerNorm eps 1e-5.

The tiny models keep the released configs' structure at small sizes: an image tower wider
than embed_dim (its pooler's keys and values have the vision width, as in both configs),
attn_pooler_heads apart from the vision heads, text width = multimodal width = embed_dim (the
decoder's cross-attention has no kdim, so OpenCLIP needs it), a context of 16 for the
tokenizer's 76 (the text tower adds a [CLS] position; the model drops the last position for
the decoder itself), and few queries (1 contrastive + queries - 1 captioning tokens).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from collections import OrderedDict

MODELS = ["CoCa_ViT_B_32_Tiny", "CoCa_ViT_L_14_Tiny"]
SOURCE = "mlfoundations/open_clip v3.2.0 (coca_model.py, coca_ViT-B-32/L-14 configs)"  # the official code followed, for stdlib/README.md

# The tiny models as OpenCLIP-style configs (model_configs/*.json keys; mlp_ratio 4
# everywhere). OpenCLIP's vision heads are width // head_width (64), which does not fit
# widths this small, so they are given.
SIZES = {
    "CoCa_ViT_B_32_Tiny": dict(
        embed_dim=48,
        vision_cfg=dict(image_size=32, layers=2, width=64, heads=4, patch_size=8,
                        attn_pooler_queries=8, attn_pooler_heads=4),
        text_cfg=dict(context_length=16, vocab_size=1000, width=48, heads=4, layers=2),
        multimodal_cfg=dict(width=48, heads=4, layers=2)),
    "CoCa_ViT_L_14_Tiny": dict(
        embed_dim=48,
        vision_cfg=dict(image_size=32, layers=2, width=64, heads=4, patch_size=8,
                        attn_pooler_queries=6, attn_pooler_heads=2),
        text_cfg=dict(context_length=16, vocab_size=1000, width=48, heads=6, layers=2),
        multimodal_cfg=dict(width=48, heads=6, layers=2)),
}


class ResidualAttentionBlock(nn.Module):
    def __init__(self, d, heads, eps, mlp_ratio=4.0, is_cross_attention=False):
        super().__init__()
        self.ln_1 = nn.LayerNorm(d, eps=eps)
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        if is_cross_attention:
            self.ln_1_kv = nn.LayerNorm(d, eps=eps)
        self.ln_2 = nn.LayerNorm(d, eps=eps)
        mlp = int(d * mlp_ratio)
        self.mlp = nn.Sequential(OrderedDict([("c_fc", nn.Linear(d, mlp)), ("gelu", nn.GELU()),
                                              ("c_proj", nn.Linear(mlp, d))]))

    def forward(self, q_x, k_x=None, attn_mask=None):
        k_x = self.ln_1_kv(k_x) if hasattr(self, "ln_1_kv") and k_x is not None else None
        q = self.ln_1(q_x)
        kv = q if k_x is None else k_x
        x = q_x + self.attn(q, kv, kv, need_weights=False, attn_mask=attn_mask)[0]
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, d, layers, heads, eps):
        super().__init__()
        self.resblocks = nn.ModuleList([ResidualAttentionBlock(d, heads, eps) for _ in range(layers)])

    def forward(self, x, attn_mask=None):
        for r in self.resblocks:
            x = r(x, attn_mask=attn_mask)
        return x


class AttentionalPooler(nn.Module):
    def __init__(self, d_model, context_dim, n_head, n_queries, eps):
        super().__init__()
        self.query = nn.Parameter(torch.randn(n_queries, d_model))
        self.attn = nn.MultiheadAttention(d_model, n_head, kdim=context_dim, vdim=context_dim, batch_first=True)
        self.ln_q = nn.LayerNorm(d_model, eps=eps)
        self.ln_k = nn.LayerNorm(context_dim, eps=eps)

    def forward(self, x):
        x = self.ln_k(x)
        q = self.ln_q(self.query).unsqueeze(0).expand(x.shape[0], -1, -1)
        return self.attn(q, x, x, need_weights=False)[0]


class VisionTransformer(nn.Module):
    """attentional_pool=True (one pooler), pool_type 'tok', output_tokens=True."""

    def __init__(self, image_size, patch_size, width, layers, heads, attn_pooler_queries,
                 attn_pooler_heads, output_dim, eps):
        super().__init__()
        grid = image_size // patch_size
        scale = width ** -0.5
        self.conv1 = nn.Conv2d(3, width, patch_size, stride=patch_size, bias=False)
        self.class_embedding = nn.Parameter(scale * torch.randn(width))
        self.positional_embedding = nn.Parameter(scale * torch.randn(grid * grid + 1, width))
        self.ln_pre = nn.LayerNorm(width, eps=eps)
        self.transformer = Transformer(width, layers, heads, eps)
        self.attn_pool = AttentionalPooler(output_dim, width, attn_pooler_heads, attn_pooler_queries, eps)
        self.ln_post = nn.LayerNorm(output_dim, eps=eps)   # pool_dim = output_dim with the pooler
        self.proj = nn.Parameter(scale * torch.randn(output_dim, output_dim))

    def forward(self, x):
        x = self.conv1(x).flatten(2).permute(0, 2, 1)
        x = torch.cat([self.class_embedding.view(1, 1, -1).expand(x.shape[0], -1, -1), x], 1)
        x = self.ln_pre(x + self.positional_embedding)
        x = self.transformer(x)
        # _pool, "the original OpenCLIP CoCa setup": pooler, ln_post, then _global_pool('tok')
        x = self.ln_post(self.attn_pool(x))
        pooled, tokens = x[:, 0], x[:, 1:]
        return pooled @ self.proj, tokens


class TextTransformer(nn.Module):
    """embed_cls=True, causal, pad_id 0, correct_cls_mask=False (the default), output_tokens."""

    def __init__(self, context_length, vocab_size, width, heads, layers, output_dim, eps):
        super().__init__()
        self.heads = heads
        self.token_embedding = nn.Embedding(vocab_size, width)
        self.cls_emb = nn.Parameter(torch.empty(width).normal_(std=0.01))
        self.positional_embedding = nn.Parameter(torch.empty(context_length + 1, width).normal_(std=0.01))
        self.transformer = Transformer(width, layers, heads, eps)
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
    def __init__(self, width, layers, heads, output_dim, eps):
        super().__init__()
        self.resblocks = nn.ModuleList([ResidualAttentionBlock(width, heads, eps) for _ in range(layers)])
        self.cross_attn = nn.ModuleList([ResidualAttentionBlock(width, heads, eps, is_cross_attention=True)
                                         for _ in range(layers)])
        self.ln_final = nn.LayerNorm(width, eps=eps)
        self.text_projection = nn.Parameter(torch.empty(width, output_dim).normal_(std=width ** -0.5))

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
        cfg = SIZES[model]
        embed_dim, v, t, m = cfg["embed_dim"], cfg["vision_cfg"], cfg["text_cfg"], cfg["multimodal_cfg"]
        self.text = TextTransformer(t["context_length"], t["vocab_size"], t["width"], t["heads"], t["layers"],
                                    embed_dim, eps)
        self.visual = VisionTransformer(v["image_size"], v["patch_size"], v["width"], v["layers"], v["heads"],
                                        v["attn_pooler_queries"], v["attn_pooler_heads"], embed_dim, eps)
        # _build_text_decoder_tower(vocab_size, multimodal_cfg): output_dim is the text vocabulary
        self.text_decoder = MultimodalTransformer(m["width"], m["layers"], m["heads"], t["vocab_size"], eps)
        self.logit_scale = nn.Parameter(torch.ones([]) * 2.6592)   # ln(1 / 0.07); no logit_bias

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
