"""VLMo (Wang et al., 2021): the multiway transformer with mixture-of-modality-experts.

Provenance: microsoft/unilm, commit 768a3c8, vlmo/vlmo/modules/multiway_transformer.py (Mlp,
Attention, Block, PatchEmbed, MultiWayTransformer, vlmo_base_patch16), vlmo_module.py (VLMo:
__init__, build_relative_position_embed, get_rel_pos_bias, infer, infer_text, infer_text_mlm,
infer_image), heads.py (Pooler, ITMHead, ITCHead, MLMHead), objectives.py (compute_mlm,
compute_textonly_mlm, compute_itm_hardneg, compute_itc with world size 1), with Hugging Face
transformers 4.8.1's BertEmbeddings (position_embedding_type "rel_pos": positions not added;
`position_ids` is a persistent buffer there) and BertPredictionHeadTransform, as
vlmo/requirements.txt pins them; the image-only stage is BEiT's masked image modeling
(microsoft/unilm beit/modeling_pretrain.py VisionTransformerForMaskedImageModeling.forward and
beit/engine_for_pretraining.py: the loss over the masked patches only), its `mask_token` and
`lm_head` under `transformer.` as VLMo's loader maps a BEiT checkpoint. Written anew in plain
torch with the official state-dict names (`mlp_imag`, `norm2_text`, ...). LayerNorm eps 1e-6
(transformer), 1e-12 (BERT parts); GELU (erf); attention masks with -inf.

ITM hard negatives: the official code samples them from the ITC softmax with the diagonal
zeroed (torch.multinomial); with the harness's batch of 2 every row has one candidate, so the
sample is deterministic. Sizes are the stdlib's _Tiny variants (stdlib/models/vlmo.mm).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

MODELS = ["VLMo_Base_Tiny", "VLMo_Large_Tiny", "VLMo_Base_Pretrain_Tiny", "VLMo_Large_Pretrain_Tiny"]
SOURCE = "microsoft/unilm 768a3c8 (vlmo)"  # the official code followed, for stdlib/README.md
LAYOUT = "unilm"  # the model's layout with the official names (`mlp_imag` for mm's `mlp.imag`)

# all tiny variants: image 32, patch 8, width 64, depth 2, heads 4, VL-FFN from layer 1,
# vocab 1000, max_text_len 8, max_text_len_of_initckpt 16, visual vocab 512
IMAGE, PATCH, WIDTH, DEPTH, HEADS, VL_START = 32, 8, 64, 2, 4, 1
VOCAB, MAX_TEXT, MAX_TEXT_INIT, VISUAL_VOCAB = 1000, 8, 16, 512


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(dim, hidden), nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.q_bias = nn.Parameter(torch.zeros(dim))
        self.v_bias = nn.Parameter(torch.zeros(dim))
        self.proj = nn.Linear(dim, dim)

    def forward(self, x, mask, bias, scale_mul=1.0):
        b, n, c = x.shape
        qkv_bias = torch.cat([self.q_bias, torch.zeros_like(self.v_bias), self.v_bias])
        qkv = F.linear(x, self.qkv.weight, qkv_bias).reshape(b, n, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0] * ((c // self.heads) ** -0.5 * scale_mul), qkv[1], qkv[2]
        attn = q @ k.transpose(-2, -1) + bias.unsqueeze(0)
        attn = attn.masked_fill(~mask.bool()[:, None, None, :], float("-inf")).softmax(-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, c))


class Block(nn.Module):
    def __init__(self, dim, heads, with_vlffn, eps, scale_mul):
        super().__init__()
        self.scale_mul = scale_mul
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn = Attention(dim, heads)
        self.norm2_text = nn.LayerNorm(dim, eps=eps)
        self.norm2_imag = nn.LayerNorm(dim, eps=eps)
        self.mlp_text = Mlp(dim, 4 * dim)
        self.mlp_imag = Mlp(dim, 4 * dim)
        self.mlp_vl = None
        if with_vlffn:
            self.mlp_vl = Mlp(dim, 4 * dim)
            self.norm2_vl = nn.LayerNorm(dim, eps=eps)
        self.gamma_1 = nn.Parameter(0.1 * torch.ones(dim))
        self.gamma_2 = nn.Parameter(0.1 * torch.ones(dim))

    def forward(self, x, mask, modality, bias):
        x = x + self.gamma_1 * self.attn(self.norm1(x), mask, bias, self.scale_mul)
        if modality == "image":
            return x + self.gamma_2 * self.mlp_imag(self.norm2_imag(x))
        if modality == "text":
            return x + self.gamma_2 * self.mlp_text(self.norm2_text(x))
        if self.mlp_vl is None:
            t, i = x[:, :MAX_TEXT], x[:, MAX_TEXT:]
            t = t + self.gamma_2 * self.mlp_text(self.norm2_text(t))
            i = i + self.gamma_2 * self.mlp_imag(self.norm2_imag(i))
            return torch.cat([t, i], 1)
        return x + self.gamma_2 * self.mlp_vl(self.norm2_vl(x))


class PatchEmbed(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Conv2d(3, WIDTH, PATCH, stride=PATCH)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class MultiWayTransformer(nn.Module):
    def __init__(self, mim, eps=1e-6, scale_mul=1.0):
        super().__init__()
        self.patch_embed = PatchEmbed()
        self.cls_token = nn.Parameter(torch.zeros(1, 1, WIDTH))
        self.blocks = nn.ModuleList([Block(WIDTH, HEADS, i >= VL_START, eps, scale_mul) for i in range(DEPTH)])
        self.norm = nn.LayerNorm(WIDTH, eps=eps)
        if mim:  # BEiT's masked-image-modeling parts, under `transformer.`
            self.mask_token = nn.Parameter(torch.zeros(1, 1, WIDTH))
            self.lm_head = nn.Linear(WIDTH, VISUAL_VOCAB)

    def visual_embed(self, img):
        x = self.patch_embed(img)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], 1)
        return x, torch.ones(x.shape[0], x.shape[1], dtype=torch.long)


class BertEmbeddings(nn.Module):
    """transformers 4.8.1 BertEmbeddings with position_embedding_type="rel_pos"."""

    def __init__(self):
        super().__init__()
        self.word_embeddings = nn.Embedding(VOCAB, WIDTH)
        self.position_embeddings = nn.Embedding(MAX_TEXT, WIDTH)
        self.token_type_embeddings = nn.Embedding(2, WIDTH)
        self.LayerNorm = nn.LayerNorm(WIDTH, eps=1e-12)
        self.register_buffer("position_ids", torch.arange(MAX_TEXT).expand((1, -1)))

    def forward(self, ids):
        return self.LayerNorm(self.word_embeddings(ids) + self.token_type_embeddings(torch.zeros_like(ids)))


class BertPredictionHeadTransform(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(WIDTH, WIDTH)
        self.LayerNorm = nn.LayerNorm(WIDTH, eps=1e-12)

    def forward(self, x):
        return self.LayerNorm(F.gelu(self.dense(x)))


class MLMHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.transform = BertPredictionHeadTransform()
        self.decoder = nn.Linear(WIDTH, VOCAB, bias=False)
        self.bias = nn.Parameter(torch.zeros(VOCAB))

    def forward(self, x):
        return self.decoder(self.transform(x)) + self.bias


class Pooler(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(WIDTH, WIDTH)

    def forward(self, x):
        return torch.tanh(self.dense(x[:, 0]))


class Head(nn.Module):
    def __init__(self, out, bias):
        super().__init__()
        self.fc = nn.Linear(WIDTH, out, bias=bias)

    def forward(self, x):
        return self.fc(x)


def relative_position_indices():
    """build_relative_position_embed's three index tables (plain attributes, not state)."""
    w = IMAGE // PATCH
    num_rel = (2 * w - 1) ** 2 + 3
    all_num = num_rel + 2 * MAX_TEXT_INIT + 2
    coords = torch.stack(torch.meshgrid([torch.arange(w), torch.arange(w)], indexing="ij")).flatten(1)
    rel = (coords[:, :, None] - coords[:, None, :]).permute(1, 2, 0).contiguous()
    rel[:, :, 0] += w - 1
    rel[:, :, 1] += w - 1
    rel[:, :, 0] *= 2 * w - 1
    image_idx = torch.zeros((w * w + 1,) * 2, dtype=torch.long)
    image_idx[1:, 1:] = rel.sum(-1)
    image_idx[0, 0:] = num_rel - 3
    image_idx[0:, 0] = num_rel - 2
    image_idx[0, 0] = num_rel - 1
    ids = torch.arange(MAX_TEXT - 1)
    mat = ids.unsqueeze(-2) - ids.unsqueeze(-1) - (2 - MAX_TEXT_INIT) + num_rel + 2
    text_idx = torch.zeros((MAX_TEXT,) * 2, dtype=torch.long)
    text_idx[1:, 1:] = mat
    text_idx[0, 0:] = all_num - 3
    text_idx[0:, 0] = all_num - 2
    text_idx[0, 0] = all_num - 1
    n_img = w * w + 1
    t2i = torch.full((MAX_TEXT, n_img), num_rel, dtype=torch.long)
    i2t = torch.full((n_img, MAX_TEXT), num_rel + 1, dtype=torch.long)
    vl_idx = torch.cat([torch.cat([text_idx, t2i], 1), torch.cat([i2t, image_idx], 1)], 0)
    return image_idx, text_idx, vl_idx, all_num


class VLMo(nn.Module):
    def __init__(self, pretrain, **kw):
        super().__init__()
        self.pretrain = pretrain
        self.transformer = MultiWayTransformer(mim=pretrain, **kw)
        self.image_idx, self.text_idx, self.vl_idx, all_num = relative_position_indices()
        self.relative_position_bias_table = nn.Parameter(torch.zeros(all_num, HEADS * DEPTH))
        self.text_embeddings = BertEmbeddings()
        self.token_type_embeddings = nn.Embedding(2, WIDTH)
        if pretrain:
            # The official module always builds the pooler; VLMo_Base is the backbone the
            # paper counts (175M), to which a checkpoint's pooler is an extra head.
            self.pooler = Pooler()
            self.mlm_score = MLMHead()
            self.itm_score = Head(2, True)
            self.itc_text_proj, self.itc_image_proj = Head(WIDTH, False), Head(WIDTH, False)
            self.itc_vl_text_proj, self.itc_vl_image_proj = Head(WIDTH, False), Head(WIDTH, False)
            self.logit_scale = nn.Parameter(torch.tensor(2.6592))
            self.logit_vl_scale = nn.Parameter(torch.tensor(2.6592))

    def rel_pos_bias(self, index):
        b = F.embedding(index, self.relative_position_bias_table).permute(2, 0, 1).contiguous()
        return torch.chunk(b, DEPTH, dim=0)

    def text_embeds(self, ids):
        return self.text_embeddings(ids) + self.token_type_embeddings(torch.zeros_like(ids))

    def image_embeds(self, img):
        x, m = self.transformer.visual_embed(img)
        return x + self.token_type_embeddings(torch.full_like(m, 1)), m

    def infer(self, text_embeds, text_masks, image_embeds, image_masks):
        """VLMo.infer: the fusion encoder, text then image; returns transformer.norm(x)."""
        x = torch.cat([text_embeds, image_embeds], 1)
        masks = torch.cat([text_masks.long(), image_masks], 1)
        rpb = self.rel_pos_bias(self.vl_idx)
        for i, blk in enumerate(self.transformer.blocks):
            x = blk(x, masks, "vl", rpb[i])
        return self.transformer.norm(x)

    def infer_single(self, x, masks, modality, index):
        """infer_image / infer_text: the expert stack and, from VL_START, the VL-FFN branch."""
        rpb = self.rel_pos_bias(index)
        hidden = []
        for i, blk in enumerate(self.transformer.blocks):
            x = blk(x, masks, modality, rpb[i])
            hidden.append(x)
        vl = hidden[VL_START - 1]
        for i in range(VL_START, DEPTH):
            vl = self.transformer.blocks[i](vl, masks, "vl", rpb[i])
        return self.transformer.norm(hidden[-1]), self.transformer.norm(vl)

    def backbone(self, inp):
        img, ids, masks = inp["image"], inp["text_ids"], inp["text_masks"]
        te = self.text_embeds(ids)
        ie, im = self.image_embeds(img)
        image_feats, image_vl = self.infer_single(ie, im, "image", self.image_idx)
        text_feats, text_vl = self.infer_single(te, masks, "text", self.text_idx)
        co = self.infer(te, masks, ie, im)
        return {"image_feats": image_feats, "image_vlffn_feats": image_vl, "text_feats": text_feats,
                "text_vlffn_feats": text_vl, "co_feats": co}

    def pretraining(self, inp):
        img, ids, masks = inp["image"], inp["text_ids"], inp["text_masks"]
        out = {}
        ce = F.cross_entropy
        # BEiT masked image modeling: loss over the masked patches only
        t = self.transformer
        pos = inp["bool_masked_pos"]
        x = t.patch_embed(img)
        w = pos.unsqueeze(-1).type_as(x)
        x = x * (1 - w) + t.mask_token.expand_as(x) * w
        x = torch.cat([t.cls_token.expand(x.shape[0], -1, -1), x], 1)
        rpb = self.rel_pos_bias(self.image_idx)
        for i, blk in enumerate(t.blocks):
            x = blk(x, torch.ones(x.shape[:2], dtype=torch.long), "image", rpb[i])
        x = t.norm(x)[:, 1:]
        out["loss_mim"] = ce(t.lm_head(x[pos]), inp["image_token_labels"][pos])
        # compute_textonly_mlm (infer_text_mlm)
        te_mlm = self.text_embeds(inp["text_ids_mlm"])
        rpb = self.rel_pos_bias(self.text_idx)
        x = te_mlm
        for i, blk in enumerate(t.blocks):
            x = blk(x, masks, "text", rpb[i])
        logits = self.mlm_score(t.norm(x))
        out["loss_textmlm"] = ce(logits.view(-1, VOCAB), inp["text_labels_mlm"].view(-1), ignore_index=-100)
        # compute_itc
        te = self.text_embeds(ids)
        ie, im = self.image_embeds(img)
        image_feats, image_vl = self.infer_single(ie, im, "image", self.image_idx)
        text_feats, text_vl = self.infer_single(te, masks, "text", self.text_idx)
        nrm = lambda y: y / y.norm(dim=-1, keepdim=True)
        icls, tcls = nrm(self.itc_image_proj(image_feats[:, 0])), nrm(self.itc_text_proj(text_feats[:, 0]))
        ivl, tvl = nrm(self.itc_vl_image_proj(image_vl[:, 0])), nrm(self.itc_vl_text_proj(text_vl[:, 0]))
        lpi = self.logit_scale.exp().mean() * icls @ tcls.t()
        lpv = self.logit_vl_scale.exp().mean() * ivl @ tvl.t()
        gt = torch.arange(len(lpi))
        itc = (ce(lpi, gt) + ce(lpi.t(), gt)) / 2
        itc_vl = (ce(lpv, gt) + ce(lpv.t(), gt)) / 2
        out.update({"image_cls": icls, "text_cls": tcls, "logits_per_image": lpi, "loss_itc": (itc + itc_vl) * 0.5})
        # compute_itm_hardneg(sim_i2t = logits_per_image, sim_t2i = logits_per_text)
        bsz = len(ids)
        w_i2t = F.softmax(lpi.float(), dim=1)
        w_t2i = F.softmax(lpi.t().float(), dim=1)
        w_i2t.fill_diagonal_(0)
        w_t2i.fill_diagonal_(0)
        neg_img = torch.stack([torch.multinomial(w_t2i[b], 1)[0] for b in range(bsz)])
        neg_txt = torch.stack([torch.multinomial(w_i2t[b], 1)[0] for b in range(bsz)])
        pos_x = self.infer(te, masks, ie, im)
        ie_neg, im_neg = self.image_embeds(img[neg_img])
        img_neg_x = self.infer(te, masks, ie_neg, im_neg)
        txt_neg_x = self.infer(self.text_embeds(ids[neg_txt]), masks[neg_txt], ie, im)
        cls = torch.cat([self.pooler(pos_x), self.pooler(img_neg_x), self.pooler(txt_neg_x)], 0)
        itm_logits = self.itm_score(cls)
        labels = torch.cat([torch.ones(bsz), torch.zeros(bsz), torch.zeros(bsz)]).long()
        out.update({"itm_logits": itm_logits, "loss_itm": ce(itm_logits, labels)})
        # compute_mlm (infer with mask_text=True)
        co = self.infer(te_mlm, masks, ie, im)
        mlm_logits = self.mlm_score(co[:, :MAX_TEXT])
        out["mlm_logits"] = mlm_logits
        out["loss_mlm"] = ce(mlm_logits.view(-1, VOCAB), inp["text_labels_mlm"].view(-1), ignore_index=-100) * 0.25
        return out


def build(model, control):
    """control: the attention scale head_dim ** -0.5 is multiplied by 1.01 (must fail)."""
    m = VLMo("Pretrain" in model, scale_mul=1.01 if control else 1.0)
    return m, (lambda mod, inp: mod.pretraining(inp)) if "Pretrain" in model else (lambda mod, inp: mod.backbone(inp))
