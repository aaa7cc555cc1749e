"""CLIP ViT, Hugging Face's CLIPModel (the stdlib's layout for the ViT variants).

Provenance: huggingface/transformers, src/transformers/models/clip/modeling_clip.py (v4.40:
CLIPVisionEmbeddings, CLIPTextEmbeddings, CLIPAttention, CLIPMLP, CLIPEncoderLayer,
CLIPVisionTransformer, CLIPTextTransformer, CLIPModel.forward, clip_loss), written anew in
plain torch with the same state-dict names. The text pooler is the eos_token_id == 2 path
(the released configs): the state at argmax(input_ids). Sizes are the stdlib's _Tiny
variants (stdlib/models/clip.mm).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

MODELS = ["CLIP_ViT_B32_Tiny", "CLIP_ViT_B16_Tiny", "CLIP_ViT_L14_Tiny", "CLIP_ViT_L14_336_Tiny"]

# model: (embed, image, patch, vision width, vision depth, vision heads, text width, text heads)
SIZES = {
    "CLIP_ViT_B32_Tiny": (32, 32, 8, 64, 2, 4, 64, 4),
}


def quick_gelu(x):
    return x * torch.sigmoid(1.702 * x)


class Attention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.q_proj, self.k_proj = nn.Linear(width, width), nn.Linear(width, width)
        self.v_proj, self.out_proj = nn.Linear(width, width), nn.Linear(width, width)

    def forward(self, x, causal=False):
        b, t, w = x.shape
        d = w // self.heads
        split = lambda y: y.view(b, t, self.heads, d).transpose(1, 2)
        q, k, v = split(self.q_proj(x) * d ** -0.5), split(self.k_proj(x)), split(self.v_proj(x))
        s = q @ k.transpose(-1, -2)
        if causal:
            s = s.masked_fill(torch.ones(t, t, dtype=torch.bool).triu(1), float("-inf"))
        o = (s.softmax(-1) @ v).transpose(1, 2).reshape(b, t, w)
        return self.out_proj(o)


class MLP(nn.Module):
    def __init__(self, width, hidden, act):
        super().__init__()
        self.act = act
        self.fc1, self.fc2 = nn.Linear(width, hidden), nn.Linear(hidden, width)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class EncoderLayer(nn.Module):
    def __init__(self, width, heads, act, eps):
        super().__init__()
        self.self_attn = Attention(width, heads)
        self.layer_norm1 = nn.LayerNorm(width, eps=eps)
        self.mlp = MLP(width, 4 * width, act)
        self.layer_norm2 = nn.LayerNorm(width, eps=eps)

    def forward(self, x, causal=False):
        x = x + self.self_attn(self.layer_norm1(x), causal)
        return x + self.mlp(self.layer_norm2(x))


class Encoder(nn.Module):
    def __init__(self, width, depth, heads, act, eps):
        super().__init__()
        self.layers = nn.ModuleList([EncoderLayer(width, heads, act, eps) for _ in range(depth)])


class VisionEmbeddings(nn.Module):
    def __init__(self, image, patch, width):
        super().__init__()
        self.class_embedding = nn.Parameter(torch.zeros(width))
        self.patch_embedding = nn.Conv2d(3, width, patch, stride=patch, bias=False)
        self.position_embedding = nn.Embedding((image // patch) ** 2 + 1, width)

    def forward(self, pixels):
        p = self.patch_embedding(pixels).flatten(2).transpose(1, 2)
        cls = self.class_embedding.expand(p.shape[0], 1, -1)
        return torch.cat([cls, p], 1) + self.position_embedding.weight


class VisionTransformer(nn.Module):
    def __init__(self, image, patch, width, depth, heads, act, eps):
        super().__init__()
        self.embeddings = VisionEmbeddings(image, patch, width)
        self.pre_layrnorm = nn.LayerNorm(width, eps=eps)
        self.encoder = Encoder(width, depth, heads, act, eps)
        self.post_layernorm = nn.LayerNorm(width, eps=eps)

    def forward(self, pixels):
        x = self.pre_layrnorm(self.embeddings(pixels))
        for layer in self.encoder.layers:
            x = layer(x)
        return self.post_layernorm(x[:, 0])


class TextEmbeddings(nn.Module):
    def __init__(self, vocab, context, width):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab, width)
        self.position_embedding = nn.Embedding(context, width)


class TextTransformer(nn.Module):
    def __init__(self, vocab, context, width, depth, heads, act, eps):
        super().__init__()
        self.embeddings = TextEmbeddings(vocab, context, width)
        self.encoder = Encoder(width, depth, heads, act, eps)
        self.final_layer_norm = nn.LayerNorm(width, eps=eps)

    def forward(self, ids):
        e = self.embeddings
        x = e.token_embedding(ids) + e.position_embedding.weight[: ids.shape[1]]
        for layer in self.encoder.layers:
            x = layer(x, causal=True)
        x = self.final_layer_norm(x)
        return x[torch.arange(x.shape[0]), ids.argmax(-1)]


class CLIPModel(nn.Module):
    def __init__(self, embed, image, patch, vw, vd, vh, tw, th, act, eps):
        super().__init__()
        self.vision_model = VisionTransformer(image, patch, vw, vd, vh, act, eps)
        self.text_model = TextTransformer(1000, 16, tw, 2, th, act, eps)
        self.visual_projection = nn.Linear(vw, embed, bias=False)
        self.text_projection = nn.Linear(tw, embed, bias=False)
        self.logit_scale = nn.Parameter(torch.tensor(2.6592))

    def forward(self, pixel_values, input_ids):
        img = F.normalize(self.visual_projection(self.vision_model(pixel_values)), dim=-1)
        txt = F.normalize(self.text_projection(self.text_model(input_ids)), dim=-1)
        logits_per_text = self.logit_scale.exp() * txt @ img.t()
        target = torch.arange(len(img))
        loss = (F.cross_entropy(logits_per_text, target) + F.cross_entropy(logits_per_text.t(), target)) / 2
        return {"image_embeds": img, "text_embeds": txt, "logits_per_image": logits_per_text.t(),
                "logits_per_text": logits_per_text, "loss_itc": loss}


def sizes(model):
    embed, image, patch, vw, vd, vh, tw, th = SIZES["CLIP_ViT_B32_Tiny"]
    if model == "CLIP_ViT_B16_Tiny":
        patch = 4
    if model in ("CLIP_ViT_L14_Tiny", "CLIP_ViT_L14_336_Tiny"):
        embed, patch, vh, tw, th = 48, 4, 8, 48, 4
        if model == "CLIP_ViT_L14_336_Tiny":
            image = 28
    return embed, image, patch, vw, vd, vh, tw, th


def build(model, control):
    """The reference for `model`; control: quick_gelu's 1.702 becomes 1.6 (must fail)."""
    act = (lambda x: x * torch.sigmoid(1.6 * x)) if control else quick_gelu
    m = CLIPModel(*sizes(model), act=act, eps=1e-5)
    return m, lambda mod, inp: mod(inp["pixel_values"], inp["input_ids"])
