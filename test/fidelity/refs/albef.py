"""ALBEF pretraining (ITA with momentum distillation and queues, ITM with hard negatives, MLM
with distillation), after the official code.

Provenance: salesforce/ALBEF at commit b9727e4 (transformers 4.8.1, timm 0.4.9 per its README):
models/model_pretrain.py (ALBEF.__init__, ALBEF.forward), models/vit.py (VisionTransformer,
Block, Attention, Mlp; timm's PatchEmbed), models/xbert.py (BertEmbeddings, BertSelfAttention,
BertAttention, BertLayer with `crossattention` from `fusion_layer` on, BertEncoder's modes
'text' / 'fusion' / 'multi_modal', BertModel.get_extended_attention_mask's (1 - mask) * -10000,
BertForMaskedLM.forward's soft-label distillation), configs/config_bert.json and
configs/Pretrain.yaml (alpha 0.4, temp clamped to [0.001, 0.5]). Written anew in plain torch
with the official state-dict names. Sizes are the stdlib's ALBEF_Tiny (stdlib/models/albef.mm).

What the official code does that a reference cannot or need not:
- the momentum update (`_momentum_update`) is a training-step side effect: the momentum
  parameters are taken as given (already updated). The queues are the official buffers
  (`image_queue`, `text_queue`, `queue_ptr`), read by ITA and written by
  `_dequeue_and_enqueue` at the end of forward (in train mode the harness compares their new
  values with mm's `.updated` outputs);
- MLM masking (`ALBEF.mask`) is random: `mlm_input_ids` / `mlm_labels` are inputs;
- hard negatives are drawn with torch.multinomial exactly as the official code does; with the
  test batch of 2 the only non-zero weight is the other sample, so the draw is deterministic.
- the official state dict also holds aliases and buffers with no data of their own:
  `text_encoder{,_m}.cls.predictions.decoder.weight` (tied to bert.embeddings.word_embeddings),
  `text_encoder{,_m}.cls.predictions.decoder.bias` (the same tensor as cls.predictions.bias),
  `text_encoder{,_m}.bert.embeddings.position_ids` (an arange buffer). The tie is kept here
  by reading the word embeddings in the decoder, the arange is computed: neither appears in
  this module's state dict.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

MODELS = ["ALBEF_Tiny", "ALBEF_Tiny@train"]
SOURCE = "salesforce/ALBEF b9727e4"  # the official code followed, for stdlib/README.md
LAYOUT = "timm"  # the ViT under timm's names (`blocks.N.attn.qkv`), the model's default

# ALBEF_Tiny: ViT image 32, patch 8, width 64, depth 2, heads 4; BERT vocab 1000, width 64,
# depth 2 (fusion from layer 1), heads 4, 32 positions; embed 32, queue 64.
TINY = dict(image=32, patch=8, vwidth=64, vdepth=2, vheads=4, vocab=1000, twidth=64, tdepth=2,
            theads=4, positions=32, fusion_layer=1, embed=32, queue=64)
ALPHA = 0.4


# ----------------------------------------------------------------------------- ViT (models/vit.py)
class ViTAttention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)  # qkv_bias=True
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        d = c // self.heads
        q, k, v = self.qkv(x).view(b, n, 3, self.heads, d).permute(2, 0, 3, 1, 4)
        a = ((q @ k.transpose(-1, -2)) * d ** -0.5).softmax(-1)
        return self.proj((a @ v).transpose(1, 2).reshape(b, n, c))


class ViTMlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(dim, hidden), nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))  # nn.GELU: the exact (erf) form


class ViTBlock(nn.Module):
    def __init__(self, dim, heads, eps):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn = ViTAttention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        self.mlp = ViTMlp(dim, 4 * dim)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self, patch, dim):
        super().__init__()
        self.proj = nn.Conv2d(3, dim, patch, stride=patch)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class VisionTransformer(nn.Module):
    """ALBEF's models/vit.py VisionTransformer: LayerNorm eps 1e-6 (norm_layer in model_pretrain.py)."""

    def __init__(self, image, patch, dim, depth, heads, eps=1e-6):
        super().__init__()
        self.patch_embed = PatchEmbed(patch, dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, (image // patch) ** 2 + 1, dim))
        self.blocks = nn.ModuleList([ViTBlock(dim, heads, eps) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=eps)

    def forward(self, image):
        x = self.patch_embed(image)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], 1)
        x = x + self.pos_embed[:, : x.shape[1]]
        for blk in self.blocks:
            x = blk(x)
        return self.norm(x)


# ----------------------------------------------------------------------------- BERT (models/xbert.py)
class BertEmbeddings(nn.Module):
    def __init__(self, vocab, dim, positions, eps):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab, dim)
        self.position_embeddings = nn.Embedding(positions, dim)
        self.token_type_embeddings = nn.Embedding(2, dim)
        self.LayerNorm = nn.LayerNorm(dim, eps=eps)

    def forward(self, ids):
        t = ids.shape[1]
        x = self.word_embeddings(ids) + self.token_type_embeddings(torch.zeros_like(ids))
        x = x + self.position_embeddings(torch.arange(t))[None]
        return self.LayerNorm(x)


class BertSelfAttention(nn.Module):
    def __init__(self, dim, heads, kv_dim):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(dim, dim)
        self.key, self.value = nn.Linear(kv_dim, dim), nn.Linear(kv_dim, dim)

    def forward(self, x, add_mask, kv=None):
        kv = x if kv is None else kv
        b, d = x.shape[0], x.shape[2] // self.heads
        split = lambda y: y.view(b, y.shape[1], self.heads, d).permute(0, 2, 1, 3)
        q, k, v = split(self.query(x)), split(self.key(kv)), split(self.value(kv))
        s = q @ k.transpose(-1, -2) / math.sqrt(d) + add_mask
        o = s.softmax(-1) @ v
        return o.permute(0, 2, 1, 3).reshape(b, x.shape[1], -1)


class BertSelfOutput(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.dense = nn.Linear(dim, dim)
        self.LayerNorm = nn.LayerNorm(dim, eps=eps)

    def forward(self, h, x):
        return self.LayerNorm(self.dense(h) + x)


class BertAttention(nn.Module):
    def __init__(self, dim, heads, kv_dim, eps):
        super().__init__()
        self.self = BertSelfAttention(dim, heads, kv_dim)
        self.output = BertSelfOutput(dim, eps)

    def forward(self, x, add_mask, kv=None):
        return self.output(self.self(x, add_mask, kv), x)


class BertIntermediate(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.dense = nn.Linear(dim, hidden)

    def forward(self, x):
        return F.gelu(self.dense(x))  # hidden_act "gelu": erf form


class BertOutput(nn.Module):
    def __init__(self, dim, hidden, eps):
        super().__init__()
        self.dense = nn.Linear(hidden, dim)
        self.LayerNorm = nn.LayerNorm(dim, eps=eps)

    def forward(self, h, x):
        return self.LayerNorm(self.dense(h) + x)


class BertLayer(nn.Module):
    def __init__(self, dim, heads, enc_dim, cross, eps):
        super().__init__()
        self.attention = BertAttention(dim, heads, dim, eps)
        if cross:
            self.crossattention = BertAttention(dim, heads, enc_dim, eps)
        self.intermediate = BertIntermediate(dim, 4 * dim)
        self.output = BertOutput(dim, 4 * dim, eps)

    def forward(self, x, add_mask, enc=None, enc_add_mask=None):
        x = self.attention(x, add_mask)
        if hasattr(self, "crossattention"):
            x = self.crossattention(x, enc_add_mask, enc)
        return self.output(self.intermediate(x), x)


class BertEncoder(nn.Module):
    def __init__(self, dim, depth, heads, enc_dim, fusion_layer, eps):
        super().__init__()
        self.fusion_layer = fusion_layer
        self.layer = nn.ModuleList([BertLayer(dim, heads, enc_dim, i >= fusion_layer, eps) for i in range(depth)])

    def forward(self, x, add_mask, enc=None, enc_add_mask=None, mode="multi_modal"):
        lo, hi = {"text": (0, self.fusion_layer), "fusion": (self.fusion_layer, len(self.layer)),
                  "multi_modal": (0, len(self.layer))}[mode]
        for i in range(lo, hi):
            x = self.layer[i](x, add_mask, enc, enc_add_mask)
        return x


def extended_mask(mask):
    """BertModel.get_extended_attention_mask (xbert.py, encoder case): (1 - m) * -10000."""
    return (1.0 - mask[:, None, None, :].float()) * -10000.0


class BertModel(nn.Module):
    """xbert's BertModel without the pooler (BertForMaskedLM: add_pooling_layer=False)."""

    def __init__(self, vocab, dim, depth, heads, positions, enc_dim, fusion_layer, eps=1e-12):
        super().__init__()
        self.embeddings = BertEmbeddings(vocab, dim, positions, eps)
        self.encoder = BertEncoder(dim, depth, heads, enc_dim, fusion_layer, eps)

    def forward(self, input_ids=None, attention_mask=None, encoder_embeds=None, encoder_hidden_states=None,
                mode="multi_modal"):
        x = self.embeddings(input_ids) if encoder_embeds is None else encoder_embeds
        enc_add = None
        if encoder_hidden_states is not None:
            # the callers pass image_atts = ones: invert_attention_mask gives zeros
            enc_add = torch.zeros(encoder_hidden_states.shape[0], 1, 1, encoder_hidden_states.shape[1])
        return self.encoder(x, extended_mask(attention_mask), encoder_hidden_states, enc_add, mode)


class BertPredictionHeadTransform(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.dense = nn.Linear(dim, dim)
        self.LayerNorm = nn.LayerNorm(dim, eps=eps)

    def forward(self, x):
        return self.LayerNorm(F.gelu(self.dense(x)))


class BertLMPredictionHead(nn.Module):
    def __init__(self, dim, vocab, eps):
        super().__init__()
        self.transform = BertPredictionHeadTransform(dim, eps)
        self.bias = nn.Parameter(torch.zeros(vocab))  # decoder.weight: the tied word embeddings


class BertOnlyMLMHead(nn.Module):
    def __init__(self, dim, vocab, eps):
        super().__init__()
        self.predictions = BertLMPredictionHead(dim, vocab, eps)


class BertForMaskedLM(nn.Module):
    def __init__(self, vocab, dim, depth, heads, positions, enc_dim, fusion_layer, eps=1e-12):
        super().__init__()
        self.bert = BertModel(vocab, dim, depth, heads, positions, enc_dim, fusion_layer, eps)
        self.cls = BertOnlyMLMHead(dim, vocab, eps)

    def forward(self, input_ids, attention_mask, encoder_hidden_states, labels=None, soft_labels=None, alpha=0.0,
                return_logits=False):
        h = self.bert(input_ids, attention_mask, encoder_hidden_states=encoder_hidden_states)
        p = self.cls.predictions
        scores = F.linear(p.transform(h), self.bert.embeddings.word_embeddings.weight, p.bias)
        if return_logits:
            return scores
        loss = F.cross_entropy(scores.view(-1, scores.shape[-1]), labels.view(-1))  # ignore_index -100
        if soft_labels is not None:
            distill = -torch.sum(F.log_softmax(scores, dim=-1) * soft_labels, dim=-1)
            distill = distill[labels != -100].mean()
            loss = (1 - alpha) * loss + alpha * distill
        return loss


# ----------------------------------------------------------------------------- ALBEF (model_pretrain.py)
@torch.no_grad()
def dequeue_and_enqueue(model, image_feat, text_feat):
    """`_dequeue_and_enqueue` on one process (concat_all_gather is the identity); BLIP's is the
    same code."""
    n, ptr = image_feat.shape[0], int(model.queue_ptr)
    assert model.image_queue.shape[1] % n == 0
    model.image_queue[:, ptr:ptr + n] = image_feat.T
    model.text_queue[:, ptr:ptr + n] = text_feat.T
    model.queue_ptr[0] = (ptr + n) % model.image_queue.shape[1]


class ALBEF(nn.Module):
    def __init__(self, s, alpha=ALPHA, vit_eps=1e-6):
        super().__init__()
        self.alpha = alpha
        vit = lambda: VisionTransformer(s["image"], s["patch"], s["vwidth"], s["vdepth"], s["vheads"], vit_eps)
        bert = lambda: BertForMaskedLM(s["vocab"], s["twidth"], s["tdepth"], s["theads"], s["positions"],
                                       s["vwidth"], s["fusion_layer"])
        self.visual_encoder = vit()
        self.text_encoder = bert()
        self.vision_proj = nn.Linear(s["vwidth"], s["embed"])
        self.text_proj = nn.Linear(s["twidth"], s["embed"])
        self.temp = nn.Parameter(torch.tensor(0.07))
        self.itm_head = nn.Linear(s["twidth"], 2)
        self.visual_encoder_m = vit()
        self.vision_proj_m = nn.Linear(s["vwidth"], s["embed"])
        self.text_encoder_m = bert()
        self.text_proj_m = nn.Linear(s["twidth"], s["embed"])
        self.register_buffer("image_queue", F.normalize(torch.randn(s["embed"], s["queue"]), dim=0))
        self.register_buffer("text_queue", F.normalize(torch.randn(s["embed"], s["queue"]), dim=0))
        self.register_buffer("queue_ptr", torch.zeros(1, dtype=torch.long))

    def unimodal(self, image, input_ids, attention_mask, image_m=None):
        """The online and momentum unimodal features, as in ALBEF.forward's first part."""
        temp = self.temp.clamp(0.001, 0.5)  # self.temp.clamp_(0.001, 0.5) under no_grad
        image_embeds = self.visual_encoder(image)
        image_feat = F.normalize(self.vision_proj(image_embeds[:, 0, :]), dim=-1)
        text_embeds = self.text_encoder.bert(input_ids, attention_mask, mode="text")
        text_feat = F.normalize(self.text_proj(text_embeds[:, 0, :]), dim=-1)
        image_embeds_m = self.visual_encoder_m(image if image_m is None else image_m)
        text_embeds_m = self.text_encoder_m.bert(input_ids, attention_mask, mode="text")
        return temp, image_embeds, image_feat, text_embeds, text_feat, image_embeds_m, text_embeds_m

    def ita(self, temp, image_feat, text_feat, image_feat_m, text_feat_m, image_queue, text_queue):
        image_feat_all = torch.cat([image_feat_m.t(), image_queue], dim=1)
        text_feat_all = torch.cat([text_feat_m.t(), text_queue], dim=1)
        sim_i2t_m = image_feat_m @ text_feat_all / temp
        sim_t2i_m = text_feat_m @ image_feat_all / temp
        sim_targets = torch.zeros(sim_i2t_m.size())
        sim_targets.fill_diagonal_(1)
        sim_i2t_targets = self.alpha * F.softmax(sim_i2t_m, dim=1) + (1 - self.alpha) * sim_targets
        sim_t2i_targets = self.alpha * F.softmax(sim_t2i_m, dim=1) + (1 - self.alpha) * sim_targets
        sim_i2t = image_feat @ text_feat_all / temp
        sim_t2i = text_feat @ image_feat_all / temp
        loss_i2t = -torch.sum(F.log_softmax(sim_i2t, dim=1) * sim_i2t_targets, dim=1).mean()
        loss_t2i = -torch.sum(F.log_softmax(sim_t2i, dim=1) * sim_t2i_targets, dim=1).mean()
        return sim_i2t, sim_t2i, loss_i2t, loss_t2i, image_feat_all, text_feat_all, sim_targets

    def itm(self, image_embeds, text_embeds, attention_mask, sim_i2t, sim_t2i):
        bert = self.text_encoder.bert
        output_pos = bert(encoder_embeds=text_embeds, attention_mask=attention_mask,
                          encoder_hidden_states=image_embeds, mode="fusion")
        bs = image_embeds.shape[0]
        weights_i2t = F.softmax(sim_i2t[:, :bs], dim=1)
        weights_t2i = F.softmax(sim_t2i[:, :bs], dim=1)
        weights_i2t.fill_diagonal_(0)
        weights_t2i.fill_diagonal_(0)
        neg_img = [torch.multinomial(weights_t2i[b], 1).item() for b in range(bs)]
        neg_txt = [torch.multinomial(weights_i2t[b], 1).item() for b in range(bs)]
        image_embeds_neg = torch.stack([image_embeds[i] for i in neg_img])
        text_embeds_neg = torch.stack([text_embeds[i] for i in neg_txt])
        text_atts_neg = torch.stack([attention_mask[i] for i in neg_txt])
        output_neg = bert(encoder_embeds=torch.cat([text_embeds, text_embeds_neg], 0),
                          attention_mask=torch.cat([attention_mask, text_atts_neg], 0),
                          encoder_hidden_states=torch.cat([image_embeds_neg, image_embeds], 0), mode="fusion")
        vl_output = self.itm_head(torch.cat([output_pos[:, 0, :], output_neg[:, 0, :]], 0))
        itm_labels = torch.cat([torch.ones(bs, dtype=torch.long), torch.zeros(2 * bs, dtype=torch.long)])
        return vl_output[:bs], F.cross_entropy(vl_output, itm_labels)

    def mlm(self, mlm_input_ids, attention_mask, mlm_labels, image_embeds, image_embeds_m):
        logits_m = self.text_encoder_m(mlm_input_ids, attention_mask, image_embeds_m, return_logits=True)
        return self.text_encoder(mlm_input_ids, attention_mask, image_embeds, labels=mlm_labels,
                                 soft_labels=F.softmax(logits_m, dim=-1), alpha=self.alpha)

    def dequeue_and_enqueue(self, image_feat, text_feat):
        dequeue_and_enqueue(self, image_feat, text_feat)

    def forward(self, image, input_ids, attention_mask, mlm_input_ids, mlm_labels):
        image_queue, text_queue = self.image_queue.clone().detach(), self.text_queue.clone().detach()
        temp, image_embeds, image_feat, text_embeds, text_feat, image_embeds_m, text_embeds_m = \
            self.unimodal(image, input_ids, attention_mask)
        image_feat_m = F.normalize(self.vision_proj_m(image_embeds_m[:, 0, :]), dim=-1)
        text_feat_m = F.normalize(self.text_proj_m(text_embeds_m[:, 0, :]), dim=-1)
        sim_i2t, sim_t2i, loss_i2t, loss_t2i, *_ = self.ita(temp, image_feat, text_feat, image_feat_m, text_feat_m,
                                                            image_queue, text_queue)
        itm_logits, loss_itm = self.itm(image_embeds, text_embeds, attention_mask, sim_i2t, sim_t2i)
        loss_mlm = self.mlm(mlm_input_ids, attention_mask, mlm_labels, image_embeds, image_embeds_m)
        self.dequeue_and_enqueue(image_feat_m, text_feat_m)
        return {"image_feat_m": image_feat_m, "text_feat_m": text_feat_m, "sim_i2t": sim_i2t, "sim_t2i": sim_t2i,
                "itm_logits": itm_logits, "loss_ita": (loss_i2t + loss_t2i) / 2, "loss_itm": loss_itm,
                "loss_mlm": loss_mlm}


def build(model, control):
    """The reference for `model`; control: the distillation weight alpha 0.4 becomes 0.38 (must fail)."""
    assert model in MODELS, model
    m = ALBEF(TINY, alpha=0.38 if control else ALPHA)
    return m, lambda mod, i: mod(i["image"], i["input_ids"], i["attention_mask"], i["mlm_input_ids"],
                                 i["mlm_labels"])
