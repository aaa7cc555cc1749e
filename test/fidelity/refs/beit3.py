"""BEiT-3 (Wang et al., 2022): torchscale's multiway encoder as microsoft/unilm's beit3 wraps it.

Provenance: microsoft/torchscale, commit 4d1e0e8 (torchscale/model/BEiT3.py: BEiT3;
torchscale/architecture/encoder.py: Encoder, EncoderLayer; torchscale/component/
multihead_attention.py: MultiheadAttention; feedforward_network.py: FeedForwardNetwork;
multiway_network.py: MultiwayNetwork, MutliwayEmbedding; embedding.py: VisionEmbedding,
TextEmbedding, PositionalEmbedding; architecture/config.py: EncoderConfig defaults) and
microsoft/unilm, commit 768a3c8 (beit3/modeling_utils.py: _get_base_config/_get_large_config,
BEiT3Wrapper; beit3/modeling_finetune.py: BEiT3ForRetrieval; utils.ClipLoss), written anew in
plain torch with the same state-dict names. Configuration as released: multiway, sub-LN
(Magneto: inner_attn_ln and ffn_layernorm, pre-LN, normalize_output), layernorm eps 1e-5,
GELU (erf), no embedding scale, no layernorm_embedding, learned positions starting at 2
(Fairseq), key padding masked with -inf and padded tokens zeroed after the embedding.

Covers BEiT3ForRetrieval (vision_cls, language_cls, logits, ClipLoss) plus the fusion
routing (image through A, text through B) that VQA/NLVR2/captioning use, and the masked data
modeling objectives. The pretraining heads are not released (no official code); they are taken
as bias-free Linear layers `mlm_head`/`mim_head` (the stdlib's reading of the README's 276M),
with cross-entropy over the labelled positions (ignore_index -100).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

MODELS = ["BEiT3_Base_Tiny", "BEiT3_Large_Tiny", "BEiT3_Base_Pretrain_Tiny", "BEiT3_Large_Pretrain_Tiny"]
SOURCE = "microsoft/torchscale 4d1e0e8, microsoft/unilm 768a3c8 (beit3)"  # the official code followed, for stdlib/README.md

# every tiny variant: image 32, patch 8, width 64, depth 2, heads 4, ffn 4*width, vocab 1000,
# max_source_positions 64, text length 8, visual vocab 512
IMAGE, PATCH, WIDTH, DEPTH, HEADS, VOCAB, MAX_POS, VISUAL_VOCAB = 32, 8, 64, 2, 4, 1000, 64, 512


class Multiway(nn.Module):
    """Two copies, A for the tokens before the split position, B for those after."""

    def __init__(self, make):
        super().__init__()
        self.A, self.B = make(), make()

    def forward(self, x, split):
        if split == -1:
            return self.A(x)
        if split == 0:
            return self.B(x)
        return torch.cat([self.A(x[:, :split]), self.B(x[:, split:])], 1)


class PositionalEmbedding(nn.Embedding):
    def forward(self, x, offset=2):
        return self.weight[offset:offset + x.shape[1]].unsqueeze(0)


class Attention(nn.Module):
    def __init__(self, width, heads, eps):
        super().__init__()
        self.heads = heads
        lin = lambda: nn.Linear(width, width)
        self.k_proj, self.v_proj, self.q_proj = Multiway(lin), Multiway(lin), Multiway(lin)
        self.out_proj = Multiway(lin)
        self.inner_attn_ln = Multiway(lambda: nn.LayerNorm(width, eps=eps))

    def forward(self, x, pad, split):
        b, t, w = x.shape
        d = w // self.heads
        sp = lambda y: y.view(b, t, self.heads, d).transpose(1, 2)
        q = sp(self.q_proj(x, split)) * d ** -0.5
        k, v = sp(self.k_proj(x, split)), sp(self.v_proj(x, split))
        s = q @ k.transpose(-1, -2)
        if pad is not None:
            s = s.masked_fill(pad[:, None, None, :], float("-inf"))
        o = (s.softmax(-1) @ v).transpose(1, 2).reshape(b, t, w)
        return self.out_proj(self.inner_attn_ln(o, split), split)


class FFN(nn.Module):
    def __init__(self, width, hidden, eps):
        super().__init__()
        self.fc1 = nn.Linear(width, hidden)
        self.fc2 = nn.Linear(hidden, width)
        self.ffn_layernorm = nn.LayerNorm(hidden, eps=eps)

    def forward(self, x):
        return self.fc2(self.ffn_layernorm(F.gelu(self.fc1(x))))


class EncoderLayer(nn.Module):
    def __init__(self, width, heads, hidden, eps):
        super().__init__()
        self.self_attn = Attention(width, heads, eps)
        self.self_attn_layer_norm = Multiway(lambda: nn.LayerNorm(width, eps=eps))
        self.ffn = Multiway(lambda: FFN(width, hidden, eps))
        self.final_layer_norm = Multiway(lambda: nn.LayerNorm(width, eps=eps))

    def forward(self, x, pad, split):
        x = x + self.self_attn(self.self_attn_layer_norm(x, split), pad, split)
        return x + self.ffn(self.final_layer_norm(x, split), split)


class Encoder(nn.Module):
    def __init__(self, width, depth, heads, hidden, eps, vision_positions, max_pos):
        super().__init__()
        self.embed_positions = nn.Module()
        self.embed_positions.A = PositionalEmbedding(vision_positions, width)
        self.embed_positions.B = PositionalEmbedding(max_pos, width)
        self.layers = nn.ModuleList([EncoderLayer(width, heads, hidden, eps) for _ in range(depth)])
        self.layer_norm = Multiway(lambda: nn.LayerNorm(width, eps=eps))

    def forward(self, x, pad, split, offset):
        pe = self.embed_positions
        if split == -1:
            pos = pe.A(x, offset)
        elif split == 0:
            pos = pe.B(x, offset)
        else:
            pos = torch.cat([pe.A(x[:, :split], offset), pe.B(x[:, split:], offset)], 1)
        x = x + pos
        if pad is None:
            pad = torch.zeros(x.shape[:2], dtype=torch.bool)
        x = x * (1 - pad.unsqueeze(-1).type_as(x))
        for layer in self.layers:
            x = layer(x, pad, split)
        return self.layer_norm(x, split)


class VisionEmbedding(nn.Module):
    def __init__(self, image, patch, width):
        super().__init__()
        self.proj = nn.Conv2d(3, width, patch, stride=patch)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, width))
        self.cls_token = nn.Parameter(torch.zeros(1, 1, width))

    def forward(self, x, masked=None):
        x = self.proj(x).flatten(2).transpose(1, 2)
        if masked is not None:
            w = masked.unsqueeze(-1).type_as(x)
            x = x * (1 - w) + self.mask_token.expand_as(x) * w
        return torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], 1)


class BEiT3(nn.Module):
    def __init__(self, eps=1e-5, offset=2):
        super().__init__()
        self.offset = offset
        self.text_embed = nn.Embedding(VOCAB, WIDTH)
        self.vision_embed = VisionEmbedding(IMAGE, PATCH, WIDTH)
        n = (IMAGE // PATCH) ** 2 + 1
        self.encoder = Encoder(WIDTH, DEPTH, HEADS, 4 * WIDTH, eps, n + 2, MAX_POS)

    def forward(self, textual_tokens=None, visual_tokens=None, text_padding_position=None,
                vision_masked_position=None):
        if textual_tokens is None:
            x, pad, split = self.vision_embed(visual_tokens, vision_masked_position), None, -1
        elif visual_tokens is None:
            x, pad, split = self.text_embed(textual_tokens), text_padding_position, 0
        else:
            x1 = self.vision_embed(visual_tokens, vision_masked_position)
            split = x1.shape[1]
            x = torch.cat([x1, self.text_embed(textual_tokens)], 1)
            pad = None
            if text_padding_position is not None:
                pad = torch.cat([torch.zeros(x1.shape[:2], dtype=torch.bool), text_padding_position], 1)
        return self.encoder(x, pad, split, self.offset)


class BEiT3ForRetrieval(nn.Module):
    def __init__(self, **kw):
        super().__init__()
        self.beit3 = BEiT3(**kw)
        self.language_head = nn.Linear(WIDTH, WIDTH, bias=False)
        self.vision_head = nn.Linear(WIDTH, WIDTH, bias=False)
        self.logit_scale = nn.Parameter(torch.tensor(2.6592))

    def forward(self, image, text_description, padding_mask):
        v = F.normalize(self.vision_head(self.beit3(visual_tokens=image)[:, 0]), dim=-1)
        t = F.normalize(self.language_head(
            self.beit3(textual_tokens=text_description, text_padding_position=padding_mask)[:, 0]), dim=-1)
        logits = self.logit_scale.exp() * v @ t.t()
        labels = torch.arange(len(v))
        loss = (F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels)) / 2
        fused = self.beit3(textual_tokens=text_description, visual_tokens=image, text_padding_position=padding_mask)
        return {"vision_cls": v, "language_cls": t, "logits_per_image": logits, "loss_itc": loss,
                "encoder_out": fused}


class BEiT3ForPretraining(nn.Module):
    def __init__(self, **kw):
        super().__init__()
        self.beit3 = BEiT3(**kw)
        self.mlm_head = nn.Linear(WIDTH, VOCAB, bias=False)
        self.mim_head = nn.Linear(WIDTH, VISUAL_VOCAB, bias=False)

    def forward(self, i):
        ce = lambda logits, labels: F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1))
        text = self.beit3(textual_tokens=i["text_ids"], text_padding_position=i["text_padding"])
        image = self.beit3(visual_tokens=i["image"], vision_masked_position=i["vision_masked_position"])
        pair = self.beit3(textual_tokens=i["pair_text_ids"], visual_tokens=i["pair_image"],
                          text_padding_position=i["pair_text_padding"],
                          vision_masked_position=i["pair_masked_position"])
        n = (IMAGE // PATCH) ** 2 + 1
        return {
            "loss_mlm": ce(self.mlm_head(text), i["text_labels"]),
            "loss_mim": ce(self.mim_head(image[:, 1:]), i["image_labels"]),
            "loss_vl_mdm": ce(self.mlm_head(pair[:, n:]), i["pair_text_labels"])
            + ce(self.mim_head(pair[:, 1:n]), i["pair_image_labels"]),
        }


def build(model, control):
    """control: the Fairseq position offset 2 becomes 1 (must fail)."""
    kw = {"offset": 1 if control else 2}
    if "Pretrain" in model:
        return BEiT3ForPretraining(**kw), lambda m, i: m(i)
    return BEiT3ForRetrieval(**kw), lambda m, i: m(i["image"], i["text_description"], i["padding_mask"])
