"""ViLT-B/32 pretraining (ITM with word-patch alignment, MLM), after the official code, under
Hugging Face's state-dict names.

Provenance (semantics): dandelin/ViLT at commit 762fd39: vilt/modules/vilt_module.py
(ViLTransformerSS.__init__ and .infer: BERT text embeddings plus modality type 0, ViT patches
plus modality type 1, one pre-LN transformer over [text; image], final norm, pooler on
position 0), vilt/modules/vision_transformer.py (VisionTransformer.visual_embed, Block,
Attention with masked_fill(-inf) on padded keys, Mlp with nn.GELU, LayerNorm eps 1e-6 as its
default norm_layer), vilt/modules/heads.py (Pooler, ITMHead, MLMHead), vilt/modules/objectives.py
(compute_mlm, compute_itm_wpa, cost_matrix_cosine, ipot with beta 0.5, 50 iterations, k 1,
trace; the WPA loss is 0.1 * ot_loss), vilt/config.py (vit_base_patch32_384, max_text_len 40).
The text embeddings are transformers' BertEmbeddings (BertConfig: gelu, layer_norm_eps 1e-12).
Written anew in plain torch. Sizes are the stdlib's ViLT_B32_Tiny (stdlib/models/vilt.mm).

State-dict names: Hugging Face's ViltForMaskedLM conversion of the official checkpoint
(transformers, models/vilt/convert_vilt_original_to_pytorch.py): official
text_embeddings.* -> vilt.embeddings.text_embeddings.*, token_type_embeddings ->
vilt.embeddings.token_type_embeddings, transformer.{cls_token, pos_embed, patch_embed.proj} ->
vilt.embeddings.{cls_token, position_embeddings, patch_embeddings.projection},
transformer.blocks.N.{norm1, attn.qkv (split in three), attn.proj, norm2, mlp.fc1, mlp.fc2} ->
vilt.encoder.layer.N.{layernorm_before, attention.attention.{query,key,value},
attention.output.dense, layernorm_after, intermediate.dense, output.dense}, transformer.norm ->
vilt.layernorm, pooler.dense -> vilt.pooler.dense; mlm_score.* and itm_score.fc keep their
names (HF has no ITM pretraining head; itm_score.fc is the official name).

What is simplified, with no effect on the outputs: visual_embed's patch selection. For an
image with no zero-padded pixels every patch is valid; with max_image_len -1 (config.py's
default) or >= the patch count, it keeps all patches in an order drawn by torch.multinomial and
interpolates the position table to the full grid (bilinear, align_corners=True: the identity).
Here the patches stay in grid order: the transformer is permutation-equivariant over tokens
that carry their own position embedding, and the optimal-transport distance is invariant to
the order of the image tokens, so no output depends on the draw.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

MODELS = ["ViLT_B32_Tiny"]
SOURCE = "dandelin/ViLT 762fd39"  # the official code followed, for stdlib/README.md

# ViLT_B32_Tiny: vocab 1000, 8 text positions, image 32, patch 8 (4x4 patches), width 64,
# depth 2, heads 4.
TINY = dict(vocab=1000, positions=8, image=32, patch=8, width=64, depth=2, heads=4)
VIT_EPS = 1e-6  # vision_transformer.py: norm_layer = partial(nn.LayerNorm, eps=1e-6)
BERT_EPS = 1e-12  # BertConfig's layer_norm_eps (text embeddings, MLM head transform)


class TextEmbeddings(nn.Module):
    """transformers' BertEmbeddings (absolute positions, token type 0)."""

    def __init__(self, vocab, width, positions):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab, width)
        self.position_embeddings = nn.Embedding(positions, width)
        self.token_type_embeddings = nn.Embedding(2, width)
        self.LayerNorm = nn.LayerNorm(width, eps=BERT_EPS)

    def forward(self, ids):
        x = self.word_embeddings(ids) + self.token_type_embeddings(torch.zeros_like(ids))
        return self.LayerNorm(x + self.position_embeddings(torch.arange(ids.shape[1]))[None])


class PatchEmbeddings(nn.Module):
    def __init__(self, patch, width):
        super().__init__()
        self.projection = nn.Conv2d(3, width, patch, stride=patch)


class Embeddings(nn.Module):
    def __init__(self, vocab, positions, image, patch, width):
        super().__init__()
        self.text_embeddings = TextEmbeddings(vocab, width, positions)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, width))
        self.patch_embeddings = PatchEmbeddings(patch, width)
        self.position_embeddings = nn.Parameter(torch.zeros(1, (image // patch) ** 2 + 1, width))
        self.token_type_embeddings = nn.Embedding(2, width)

    def forward(self, ids, text_masks, pixels):
        text = self.text_embeddings(ids)
        # visual_embed: every pixel non-zero, so x_mask is all ones and h, w the full grid
        x = self.patch_embeddings.projection(pixels).flatten(2).transpose(1, 2)
        b = x.shape[0]
        x = torch.cat([self.cls_token.expand(b, -1, -1), x], 1) + self.position_embeddings
        image_masks = torch.ones(b, x.shape[1], dtype=text_masks.dtype)
        text = text + self.token_type_embeddings(torch.zeros_like(text_masks))
        img = x + self.token_type_embeddings(torch.full_like(image_masks, 1))
        return torch.cat([text, img], 1), torch.cat([text_masks, image_masks], 1)


class SelfAttention(nn.Module):
    def __init__(self, width, heads, scale_mult):
        super().__init__()
        self.heads, self.scale_mult = heads, scale_mult
        self.query, self.key, self.value = nn.Linear(width, width), nn.Linear(width, width), nn.Linear(width, width)

    def forward(self, x, mask):
        b, n, c = x.shape
        d = c // self.heads
        split = lambda y: y.view(b, n, self.heads, d).transpose(1, 2)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        a = (q @ k.transpose(-2, -1)) * (d ** -0.5 * self.scale_mult)
        a = a.masked_fill(~mask.bool()[:, None, None, :], float("-inf")).softmax(-1)
        return (a @ v).transpose(1, 2).reshape(b, n, c)


class Dense(nn.Module):
    def __init__(self, i, o):
        super().__init__()
        self.dense = nn.Linear(i, o)


class Attention(nn.Module):
    def __init__(self, width, heads, scale_mult):
        super().__init__()
        self.attention = SelfAttention(width, heads, scale_mult)
        self.output = Dense(width, width)


class Layer(nn.Module):
    """The official timm Block: x + attn(norm1(x)); x + mlp(norm2(x))."""

    def __init__(self, width, heads, scale_mult):
        super().__init__()
        self.layernorm_before = nn.LayerNorm(width, eps=VIT_EPS)
        self.attention = Attention(width, heads, scale_mult)
        self.layernorm_after = nn.LayerNorm(width, eps=VIT_EPS)
        self.intermediate = Dense(width, 4 * width)
        self.output = Dense(4 * width, width)

    def forward(self, x, mask):
        x = x + self.attention.output.dense(self.attention.attention(self.layernorm_before(x), mask))
        return x + self.output.dense(F.gelu(self.intermediate.dense(self.layernorm_after(x))))


class Encoder(nn.Module):
    def __init__(self, width, depth, heads, scale_mult):
        super().__init__()
        self.layer = nn.ModuleList([Layer(width, heads, scale_mult) for _ in range(depth)])


class ViltModel(nn.Module):
    def __init__(self, s, scale_mult=1.0):
        super().__init__()
        self.embeddings = Embeddings(s["vocab"], s["positions"], s["image"], s["patch"], s["width"])
        self.encoder = Encoder(s["width"], s["depth"], s["heads"], scale_mult)
        self.layernorm = nn.LayerNorm(s["width"], eps=VIT_EPS)
        self.pooler = Dense(s["width"], s["width"])

    def infer(self, ids, text_masks, pixels):
        x, co_masks = self.embeddings(ids, text_masks, pixels)
        for blk in self.encoder.layer:
            x = blk(x, co_masks)
        x = self.layernorm(x)
        t = ids.shape[1]
        return {"text_feats": x[:, :t], "image_feats": x[:, t:], "cls_feats": torch.tanh(self.pooler.dense(x[:, 0])),
                "text_masks": text_masks, "image_masks": co_masks[:, t:]}


class ITMHead(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.fc = nn.Linear(width, 2)


class Transform(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.dense = nn.Linear(width, width)
        self.LayerNorm = nn.LayerNorm(width, eps=BERT_EPS)


class MLMHead(nn.Module):
    def __init__(self, width, vocab):
        super().__init__()
        self.transform = Transform(width)
        self.decoder = nn.Linear(width, vocab, bias=False)
        self.bias = nn.Parameter(torch.zeros(vocab))

    def forward(self, x):
        return self.decoder(self.transform.LayerNorm(F.gelu(self.transform.dense(x)))) + self.bias


# ----------------------------------------------------------------------------- objectives.py
def cost_matrix_cosine(x, y, eps=1e-5):
    x_norm = F.normalize(x, p=2, dim=-1, eps=eps)
    y_norm = F.normalize(y, p=2, dim=-1, eps=eps)
    return 1 - x_norm.matmul(y_norm.transpose(1, 2))


def trace(x):
    b, m, n = x.size()
    mask = torch.eye(n, dtype=torch.bool).unsqueeze(0).expand_as(x)
    return x.masked_select(mask).contiguous().view(b, n).sum(dim=-1)


def ipot(C, x_len, x_pad, y_len, y_pad, joint_pad, beta, iteration, k):
    b, m, n = C.size()
    sigma = torch.ones(b, m, dtype=C.dtype) / x_len.unsqueeze(1)
    T = torch.ones(b, n, m, dtype=C.dtype)
    A = torch.exp(-C.transpose(1, 2) / beta)
    sigma.masked_fill_(x_pad, 0)
    joint_pad = joint_pad.transpose(1, 2)
    T.masked_fill_(joint_pad, 0)
    A.masked_fill_(joint_pad, 0)
    x_len = x_len.unsqueeze(1).unsqueeze(2)
    y_len = y_len.unsqueeze(1).unsqueeze(2)
    x_mask = (x_pad.to(C.dtype) * 1e4).unsqueeze(1)
    y_mask = (y_pad.to(C.dtype) * 1e4).unsqueeze(1)
    for _ in range(iteration):
        Q = A * T
        sigma = sigma.view(b, m, 1)
        for _ in range(k):
            delta = 1 / (y_len * Q.matmul(sigma).view(b, 1, n) + y_mask)
            sigma = 1 / (x_len * delta.matmul(Q) + x_mask)
        T = delta.view(b, n, 1) * Q * sigma
    T.masked_fill_(joint_pad, 0)
    return T


def wpa_distance(infer):
    txt_emb, img_emb = infer["text_feats"], infer["image_feats"]
    txt_mask, img_mask = infer["text_masks"].bool().clone(), infer["image_masks"].bool().clone()
    for i, _len in enumerate(txt_mask.sum(dim=1)):
        txt_mask[i, _len - 1] = False
    txt_mask[:, 0] = False
    img_mask[:, 0] = False
    txt_pad, img_pad = ~txt_mask, ~img_mask
    cost = cost_matrix_cosine(txt_emb.float(), img_emb.float())
    joint_pad = txt_pad.unsqueeze(-1) | img_pad.unsqueeze(-2)
    cost.masked_fill_(joint_pad, 0)
    txt_len = (txt_pad.size(1) - txt_pad.sum(dim=1)).to(dtype=cost.dtype)
    img_len = (img_pad.size(1) - img_pad.sum(dim=1)).to(dtype=cost.dtype)
    T = ipot(cost.detach(), txt_len, txt_pad, img_len, img_pad, joint_pad, 0.5, 50, 1)
    return trace(cost.matmul(T.detach()))


class ViLT(nn.Module):
    def __init__(self, s, scale_mult=1.0):
        super().__init__()
        self.vilt = ViltModel(s, scale_mult)
        self.itm_score = ITMHead(s["width"])
        self.mlm_score = MLMHead(s["width"], s["vocab"])

    def forward(self, input_ids, attention_mask, pixel_values, itm_pixel_values, itm_labels, mlm_input_ids,
                mlm_labels):
        # compute_itm_wpa: the data loader's swapped images are `itm_pixel_values`
        infer = self.vilt.infer(input_ids, attention_mask, itm_pixel_values)
        distance = wpa_distance(infer)
        dist_pos = distance.masked_select(itm_labels == 1)
        dist_neg = distance.masked_select(itm_labels == 0)
        ot_loss = (dist_pos.sum() - dist_neg.sum()) / (dist_pos.size(0) + dist_neg.size(0))
        itm_logits = self.itm_score.fc(infer["cls_feats"])
        # compute_mlm: masked text, the original image
        infer_mlm = self.vilt.infer(mlm_input_ids, attention_mask, pixel_values)
        mlm_logits = self.mlm_score(infer_mlm["text_feats"])
        loss_mlm = F.cross_entropy(mlm_logits.view(-1, mlm_logits.shape[-1]), mlm_labels.view(-1), ignore_index=-100)
        return {"itm_logits": itm_logits, "mlm_logits": mlm_logits,
                "loss_itm": F.cross_entropy(itm_logits, itm_labels.long()), "loss_wpa": 0.1 * ot_loss,
                "loss_mlm": loss_mlm}


def build(model, control):
    """The reference for `model`; control: the attention scale d**-0.5 grows by 10% (must fail)."""
    assert model in MODELS, model
    m = ViLT(TINY, scale_mult=1.1 if control else 1.0)
    return m, lambda mod, i: mod(i["input_ids"], i["attention_mask"], i["pixel_values"], i["itm_pixel_values"],
                                 i["itm_labels"], i["mlm_input_ids"], i["mlm_labels"])
