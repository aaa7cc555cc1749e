"""BLIP pretraining (ITC with momentum distillation, ITM with hard negatives, LM), after the
official code, with Hugging Face's names for the towers.

Provenance: salesforce/BLIP, commit 056a169 (models/blip_pretrain.py: BLIP_Pretrain.__init__,
BLIP_Pretrain.forward, tie_encoder_decoder_weights; models/med.py: BertEmbeddings,
BertSelfAttention, BertSelfOutput, BertAttention, BertIntermediate, BertOutput, BertLayer
(mode 'text' skips the cross-attention), BertModel.get_extended_attention_mask (additive
-10000 masks, causal x padding for the decoder), BertPredictionHeadTransform,
BertLMPredictionHead, BertLMHeadModel.forward (shifted LM loss, label_smoothing 0.1);
models/vit.py: VisionTransformer, Block, Attention, Mlp, LayerNorm eps 1e-6;
configs/bert_config.json: layer_norm_eps 1e-12, gelu), written anew in plain torch. State-dict
names are Hugging Face's (transformers, models/blip/modeling_blip.py BlipVisionModel and
modeling_blip_text.py BlipTextModel / BlipTextLMHeadModel as used by BlipForImageTextRetrieval
and BlipForConditionalGeneration): visual_encoder.* -> vision_model.* (cls_token ->
embeddings.class_embedding, pos_embed -> embeddings.position_embedding, patch_embed.proj ->
embeddings.patch_embedding, blocks.N.{norm1,attn.qkv,attn.proj,norm2,mlp.fc1,mlp.fc2} ->
encoder.layers.N.{layer_norm1,self_attn.qkv,self_attn.projection,layer_norm2,mlp.fc1,mlp.fc2},
norm -> post_layernorm); the momentum copies are named the same way (visual_encoder_m ->
vision_model_m).

What the reference does the way the official code does, and where it must deviate:
- The text decoder shares everything with the text encoder except its self-attention layers
  (tie_encoder_decoder_weights(text_encoder, text_decoder.bert, '', '/attention')) and its LM
  decoder matrix is the word-embedding table: the tie is implemented by calling the encoder's
  modules, so the tied copies (text_decoder.bert.embeddings.*, .crossattention.*,
  .intermediate.*, .output.*, cls.predictions.decoder.*) are not separate keys.
- The momentum text encoder is a full BertModel(config) with add_cross_attention: its
  crossattention layers exist (copy_params copies them) although ITC never calls them.
- The queues are the official buffers (image_queue, text_queue, queue_ptr): ITC contrasts
  against the momentum features and the queues, and forward ends with _dequeue_and_enqueue
  (one process: concat_all_gather is the identity); train mode compares the new values.
- ITM negatives: the official code draws one per example with torch.multinomial from
  softmax(sim)+1e-4 with the diagonal zeroed, where sim_t2i = text_feat @ image_feat_m.T / temp
  and sim_i2t = image_feat @ text_feat_m.T / temp (online against momentum features); a
  deterministic reference takes the mode of that distribution (argmax of the same weights).
- logits_per_image (an mm output with no counterpart in BLIP_Pretrain) is
  image_feat @ text_feat.T / temp.
Sizes are the stdlib's _Tiny variants (stdlib/models/blip.mm).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

import albef  # refs/ is on the path (run.py): the queue write is the same code

MODELS = ["BLIP_ViT_B_Tiny", "BLIP_ViT_L_Tiny", "BLIP_ViT_B_Tiny@train"]
SOURCE = "salesforce/BLIP 056a169"  # the official code followed, for stdlib/README.md
LAYOUT = "hf_blip"  # the ViT under Hugging Face's `BlipVisionModel` names, the model's default

# model: (embed, image, patch, vision width, vision depth, vision heads, vocab, text width,
#         text depth, text heads, max positions, queue)
SIZES = {
    "BLIP_ViT_B_Tiny": (32, 32, 8, 64, 2, 4, 1000, 64, 2, 4, 32, 64),
    "BLIP_ViT_L_Tiny": (32, 32, 8, 48, 2, 4, 1000, 64, 2, 4, 32, 64),
}
MOMENTUM_ALPHA = 0.4
LM_LABEL_SMOOTHING = 0.1


# ------------------------------------------------------------------------------ vision (vit.py)

class VisionAttention(nn.Module):
    def __init__(self, width, heads, scale_fudge=1.0):
        super().__init__()
        self.heads = heads
        self.scale = (width // heads) ** -0.5 * scale_fudge
        self.qkv = nn.Linear(width, 3 * width)  # qkv_bias=True in VisionTransformer
        self.projection = nn.Linear(width, width)

    def forward(self, x):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
        return self.projection((attn @ v).transpose(1, 2).reshape(b, n, c))


class VisionMlp(nn.Module):
    def __init__(self, width, hidden):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(width, hidden), nn.Linear(hidden, width)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class VisionLayer(nn.Module):
    def __init__(self, width, heads, eps, scale_fudge):
        super().__init__()
        self.layer_norm1 = nn.LayerNorm(width, eps=eps)
        self.self_attn = VisionAttention(width, heads, scale_fudge)
        self.layer_norm2 = nn.LayerNorm(width, eps=eps)
        self.mlp = VisionMlp(width, 4 * width)

    def forward(self, x):
        x = x + self.self_attn(self.layer_norm1(x))
        return x + self.mlp(self.layer_norm2(x))


class VisionEncoder(nn.Module):
    def __init__(self, width, depth, heads, eps, scale_fudge):
        super().__init__()
        self.layers = nn.ModuleList([VisionLayer(width, heads, eps, scale_fudge) for _ in range(depth)])


class VisionEmbeddings(nn.Module):
    def __init__(self, image, patch, width):
        super().__init__()
        self.class_embedding = nn.Parameter(torch.zeros(1, 1, width))
        self.patch_embedding = nn.Conv2d(3, width, patch, stride=patch)
        self.position_embedding = nn.Parameter(torch.zeros(1, (image // patch) ** 2 + 1, width))

    def forward(self, x):
        x = self.patch_embedding(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.class_embedding.expand(x.shape[0], -1, -1), x], dim=1)
        return x + self.position_embedding[:, : x.shape[1]]


class VisionModel(nn.Module):
    """models/vit.py VisionTransformer (norm_layer = LayerNorm(eps=1e-6)); every token."""

    def __init__(self, image, patch, width, depth, heads, eps=1e-6, scale_fudge=1.0):
        super().__init__()
        self.embeddings = VisionEmbeddings(image, patch, width)
        self.encoder = VisionEncoder(width, depth, heads, eps, scale_fudge)
        self.post_layernorm = nn.LayerNorm(width, eps=eps)

    def forward(self, pixels):
        x = self.embeddings(pixels)
        for layer in self.encoder.layers:
            x = layer(x)
        return self.post_layernorm(x)


# ------------------------------------------------------------------------------ text (med.py)

def extended_mask(mask, causal=False):
    """BertModel.get_extended_attention_mask: (1 - mask) * -10000, causal x padding for a decoder."""
    m = mask.float()[:, None, None, :]
    if causal:
        t = mask.shape[1]
        ids = torch.arange(t)
        c = (ids[None, :] <= ids[:, None]).float()
        m = c[None, None] * m
    return (1.0 - m) * -10000.0


class BertSelfAttention(nn.Module):
    def __init__(self, width, heads, kv_width):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(width, width)
        self.key = nn.Linear(kv_width, width)
        self.value = nn.Linear(kv_width, width)

    def split(self, x):
        b, t, w = x.shape
        return x.view(b, t, self.heads, w // self.heads).permute(0, 2, 1, 3)

    def forward(self, x, mask=None, context=None):
        kv = x if context is None else context
        q, k, v = self.split(self.query(x)), self.split(self.key(kv)), self.split(self.value(kv))
        s = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
        if mask is not None:
            s = s + mask
        o = (s.softmax(-1) @ v).permute(0, 2, 1, 3)
        return o.reshape(o.shape[0], o.shape[1], -1)


class BertResidual(nn.Module):
    """BertSelfOutput / BertOutput: LayerNorm(dense(h) + x)."""

    def __init__(self, in_width, width, eps):
        super().__init__()
        self.dense = nn.Linear(in_width, width)
        self.LayerNorm = nn.LayerNorm(width, eps=eps)

    def forward(self, h, x):
        return self.LayerNorm(self.dense(h) + x)


class BertAttention(nn.Module):
    def __init__(self, width, heads, kv_width, eps):
        super().__init__()
        self.self = BertSelfAttention(width, heads, kv_width)
        self.output = BertResidual(width, width, eps)

    def forward(self, x, mask=None, context=None):
        return self.output(self.self(x, mask, context), x)


class BertIntermediate(nn.Module):
    def __init__(self, width, hidden):
        super().__init__()
        self.dense = nn.Linear(width, hidden)

    def forward(self, x):
        return F.gelu(self.dense(x))


class BertLayer(nn.Module):
    def __init__(self, width, heads, encoder_width, eps):
        super().__init__()
        self.attention = BertAttention(width, heads, width, eps)
        self.crossattention = BertAttention(width, heads, encoder_width, eps)
        self.intermediate = BertIntermediate(width, 4 * width)
        self.output = BertResidual(4 * width, width, eps)

    def cross_and_ffn(self, x, image):
        if image is not None:  # mode 'multimodal'; image_atts are all ones: a zero additive mask
            x = self.crossattention(x, None, image)
        return self.output(self.intermediate(x), x)


class BertEncoder(nn.Module):
    def __init__(self, width, depth, heads, encoder_width, eps):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer(width, heads, encoder_width, eps) for _ in range(depth)])


class BertEmbeddings(nn.Module):
    def __init__(self, vocab, width, positions, eps):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab, width)
        self.position_embeddings = nn.Embedding(positions, width)
        self.LayerNorm = nn.LayerNorm(width, eps=eps)

    def forward(self, ids):
        pos = torch.arange(ids.shape[1])[None]
        return self.LayerNorm(self.word_embeddings(ids) + self.position_embeddings(pos))


class BertModel(nn.Module):
    """med.py BertModel(add_pooling_layer=False), config add_cross_attention=True."""

    def __init__(self, vocab, width, depth, heads, positions, encoder_width, eps=1e-12):
        super().__init__()
        self.embeddings = BertEmbeddings(vocab, width, positions, eps)
        self.encoder = BertEncoder(width, depth, heads, encoder_width, eps)

    def forward(self, ids, mask, image=None):
        x = self.embeddings(ids)
        m = extended_mask(mask)
        for layer in self.encoder.layer:
            x = layer.cross_and_ffn(layer.attention(x, m), image)
        return x


class DecoderLayer(nn.Module):
    def __init__(self, width, heads, eps):
        super().__init__()
        self.attention = BertAttention(width, heads, width, eps)


class DecoderEncoder(nn.Module):
    def __init__(self, width, depth, heads, eps):
        super().__init__()
        self.layer = nn.ModuleList([DecoderLayer(width, heads, eps) for _ in range(depth)])


class DecoderBert(nn.Module):
    def __init__(self, width, depth, heads, eps):
        super().__init__()
        self.encoder = DecoderEncoder(width, depth, heads, eps)


class PredictionHeadTransform(nn.Module):
    def __init__(self, width, eps):
        super().__init__()
        self.dense = nn.Linear(width, width)
        self.LayerNorm = nn.LayerNorm(width, eps=eps)

    def forward(self, x):
        return self.LayerNorm(F.gelu(self.dense(x)))


class LMPredictionHead(nn.Module):
    def __init__(self, width, vocab, eps):
        super().__init__()
        self.transform = PredictionHeadTransform(width, eps)
        self.bias = nn.Parameter(torch.zeros(vocab))

    def forward(self, x, decoder_weight):
        return F.linear(self.transform(x), decoder_weight, self.bias)


class OnlyMLMHead(nn.Module):
    def __init__(self, width, vocab, eps):
        super().__init__()
        self.predictions = LMPredictionHead(width, vocab, eps)


class TextDecoder(nn.Module):
    """BertLMHeadModel's own (untied) parameters: the causal self-attention layers and the head."""

    def __init__(self, vocab, width, depth, heads, eps=1e-12):
        super().__init__()
        self.bert = DecoderBert(width, depth, heads, eps)
        self.cls = OnlyMLMHead(width, vocab, eps)


# ------------------------------------------------------------------------------ the model

class BlipPretrain(nn.Module):
    def __init__(self, embed, image, patch, vw, vd, vh, vocab, tw, td, th, positions, queue, vision_eps, scale_fudge):
        super().__init__()
        self.vision_model = VisionModel(image, patch, vw, vd, vh, vision_eps, scale_fudge)
        self.text_encoder = BertModel(vocab, tw, td, th, positions, vw)
        self.text_decoder = TextDecoder(vocab, tw, td, th)
        self.vision_proj = nn.Linear(vw, embed)
        self.text_proj = nn.Linear(tw, embed)
        self.itm_head = nn.Linear(tw, 2)
        self.temp = nn.Parameter(0.07 * torch.ones([]))
        self.vision_model_m = VisionModel(image, patch, vw, vd, vh, vision_eps, scale_fudge)
        self.vision_proj_m = nn.Linear(vw, embed)
        self.text_encoder_m = BertModel(vocab, tw, td, th, positions, vw)
        self.text_proj_m = nn.Linear(tw, embed)
        self.register_buffer("image_queue", F.normalize(torch.randn(embed, queue), dim=0))
        self.register_buffer("text_queue", F.normalize(torch.randn(embed, queue), dim=0))
        self.register_buffer("queue_ptr", torch.zeros(1, dtype=torch.long))

    def dequeue_and_enqueue(self, image_feat, text_feat):
        albef.dequeue_and_enqueue(self, image_feat, text_feat)

    def decode(self, ids, mask, image):
        """text_decoder(ids, attention_mask, encoder_hidden_states=image) with the tied weights."""
        enc = self.text_encoder
        x = enc.embeddings(ids)
        m = extended_mask(mask, causal=True)
        for own, shared in zip(self.text_decoder.bert.encoder.layer, enc.encoder.layer):
            x = shared.cross_and_ffn(own.attention(x, m), image)
        return self.text_decoder.cls.predictions(x, enc.embeddings.word_embeddings.weight)

    def forward(self, pixel_values, input_ids, attention_mask, itm_input_ids, decoder_input_ids, labels,
                alpha=MOMENTUM_ALPHA):
        mask = attention_mask.long()
        temp = self.temp.clamp(0.001, 0.5)
        image_embeds = self.vision_model(pixel_values)
        image_feat = F.normalize(self.vision_proj(image_embeds[:, 0, :]), dim=-1)
        text_out = self.text_encoder(input_ids, mask)  # mode 'text'
        text_feat = F.normalize(self.text_proj(text_out[:, 0, :]), dim=-1)

        # ITC with momentum distillation, against the queues
        image_feat_m = F.normalize(self.vision_proj_m(self.vision_model_m(pixel_values)[:, 0, :]), dim=-1)
        image_feat_m_all = torch.cat([image_feat_m.t(), self.image_queue.clone().detach()], dim=1)
        text_feat_m = F.normalize(self.text_proj_m(self.text_encoder_m(input_ids, mask)[:, 0, :]), dim=-1)
        text_feat_m_all = torch.cat([text_feat_m.t(), self.text_queue.clone().detach()], dim=1)
        sim_i2t_m = image_feat_m @ text_feat_m_all / temp
        sim_t2i_m = text_feat_m @ image_feat_m_all / temp
        sim_targets = torch.zeros(sim_i2t_m.size())
        sim_targets.fill_diagonal_(1)
        sim_i2t_targets = alpha * F.softmax(sim_i2t_m, dim=1) + (1 - alpha) * sim_targets
        sim_t2i_targets = alpha * F.softmax(sim_t2i_m, dim=1) + (1 - alpha) * sim_targets
        sim_i2t = image_feat @ text_feat_m_all / temp
        sim_t2i = text_feat @ image_feat_m_all / temp
        loss_i2t = -torch.sum(F.log_softmax(sim_i2t, dim=1) * sim_i2t_targets, dim=1).mean()
        loss_t2i = -torch.sum(F.log_softmax(sim_t2i, dim=1) * sim_t2i_targets, dim=1).mean()
        loss_ita = (loss_i2t + loss_t2i) / 2

        # ITM
        bs = pixel_values.shape[0]
        output_pos = self.text_encoder(itm_input_ids, mask, image_embeds)
        weights_t2i = F.softmax(sim_t2i[:, :bs], dim=1) + 1e-4
        weights_t2i.fill_diagonal_(0)
        weights_i2t = F.softmax(sim_i2t[:, :bs], dim=1) + 1e-4
        weights_i2t.fill_diagonal_(0)
        neg_image = weights_t2i.argmax(dim=1)  # the mode of torch.multinomial(weights_t2i[b], 1)
        neg_text = weights_i2t.argmax(dim=1)
        text_ids_all = torch.cat([itm_input_ids, itm_input_ids[neg_text]], dim=0)
        text_atts_all = torch.cat([mask, mask[neg_text]], dim=0)
        image_embeds_all = torch.cat([image_embeds[neg_image], image_embeds], dim=0)
        output_neg = self.text_encoder(text_ids_all, text_atts_all, image_embeds_all)
        vl_embeddings = torch.cat([output_pos[:, 0, :], output_neg[:, 0, :]], dim=0)
        vl_output = self.itm_head(vl_embeddings)
        itm_labels = torch.cat([torch.ones(bs, dtype=torch.long), torch.zeros(2 * bs, dtype=torch.long)])
        loss_itm = F.cross_entropy(vl_output, itm_labels)

        # LM
        prediction_scores = self.decode(decoder_input_ids, mask, image_embeds)
        shifted = prediction_scores[:, :-1, :].contiguous()
        loss_lm = F.cross_entropy(shifted.view(-1, shifted.shape[-1]), labels[:, 1:].contiguous().view(-1),
                                  label_smoothing=LM_LABEL_SMOOTHING)
        self.dequeue_and_enqueue(image_feat_m, text_feat_m)
        return {
            "logits_per_image": image_feat @ text_feat.t() / temp,
            "image_feat": image_feat,
            "text_feat": text_feat,
            "itm_score": self.itm_head(output_pos[:, 0, :]),
            "caption_logits": prediction_scores,
            "loss_itc": loss_ita,
            "loss_itm": loss_itm,
            "loss_lm": loss_lm,
        }


def build(model, control):
    """The reference for `model`; control: the ViT's attention scale is off by 1% (must fail)."""
    m = BlipPretrain(*SIZES[model], vision_eps=1e-6, scale_fudge=1.01 if control else 1.0)
    keys = ["pixel_values", "input_ids", "attention_mask", "itm_input_ids", "decoder_input_ids", "labels"]
    return m, lambda mod, inp: mod(*[inp[k] for k in keys])
