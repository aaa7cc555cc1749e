"""LLaVA-1.5 (Hugging Face LlavaForConditionalGeneration) and LLaVA v1 (official v0 code).

Provenance:
- huggingface/transformers v4.40, src/transformers/models/llava/modeling_llava.py
  (LlavaMultiModalProjector, LlavaForConditionalGeneration.forward: vision_feature_layer -2,
  select strategy "default" = drop [CLS], image features merged into the prompt, labels
  IGNORE_INDEX (-100) on the image, loss = CrossEntropy(logits[..., :-1], labels[..., 1:])
  over the whole sequence), models/clip/modeling_clip.py (CLIPVisionTransformer: embeddings,
  pre_layrnorm, encoder with quick_gelu, eps 1e-5; hidden_states[-2] is the output of the
  second-to-last layer) and models/llama/modeling_llama.py (LlamaRMSNorm, rotate-half RoPE
  theta 10000, SwiGLU MLP, causal attention, LlamaForCausalLM loss).
- haotian-liu/LLaVA commit c121f04, llava/model/llava_arch.py (encode_images,
  prepare_inputs_labels_for_multimodal: IGNORE_INDEX on the image features, the labels of the
  text kept), llava/model/multimodal_encoder/clip_encoder.py (feature_select: hidden_states
  [select_layer = -2], patch features [:, 1:]), multimodal_projector/builder.py (mlp2x_gelu:
  Linear, GELU, Linear; v1: a single Linear `mm_projector`); LLaVA v1's names are those of
  LlavaLlamaForCausalLM (model.embed_tokens, model.layers.N, model.norm, model.mm_projector,
  model.vision_tower, lm_head).
Written anew in plain torch (the whole CLIP tower, as the checkpoints hold it, with the last
layer and post_layernorm that LLaVA never runs). mm's inputs map to the official sequence as
[prompt_ids | image features | input_ids], with the official labels
[-100 x (P + patches) | labels] and the official shifted loss over that whole sequence.
Sizes: the stdlib _Tiny variants (stdlib/models/llava.mm).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

MODELS = ["LLaVA_1_5_7B_Tiny", "LLaVA_1_5_13B_Tiny", "LLaVA_13B_Tiny"]
SOURCE = "huggingface/transformers v4.40 (modeling_llava.py), haotian-liu/LLaVA c121f04"  # the official code followed, for stdlib/README.md


# ------------------------------------------------------------------------- LLaMA (HF)
class LlamaRMSNorm(nn.Module):
    def __init__(self, width, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(width))
        self.variance_epsilon = eps

    def forward(self, x):
        var = x.float().pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(var + self.variance_epsilon))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


class LoraLinear(nn.Module):
    """nn.Linear without bias; with r > 0, PEFT's LoRA: W x + B(A(x)) * alpha / r."""

    def __init__(self, n_in, n_out, r=0, alpha=16.0):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_out, n_in))
        self.r = r
        if r:
            self.lora_A = nn.Linear(n_in, r, bias=False)
            self.lora_B = nn.Linear(r, n_out, bias=False)
            self.scaling = alpha / r

    def forward(self, x):
        y = F.linear(x, self.weight)
        if self.r:
            y = y + self.lora_B(self.lora_A(x)) * self.scaling
        return y


class LlamaAttention(nn.Module):
    def __init__(self, width, heads, theta=10000.0, lora=0, lora_alpha=16.0):
        super().__init__()
        self.heads, self.head_dim, self.theta = heads, width // heads, theta
        self.q_proj = LoraLinear(width, width, lora, lora_alpha)
        self.k_proj = LoraLinear(width, width)
        self.v_proj = LoraLinear(width, width, lora, lora_alpha)
        self.o_proj = LoraLinear(width, width)

    def forward(self, x):
        b, t, w = x.shape
        d = self.head_dim
        q = self.q_proj(x).view(b, t, self.heads, d).transpose(1, 2)
        k = self.k_proj(x).view(b, t, self.heads, d).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.heads, d).transpose(1, 2)
        inv_freq = 1.0 / (self.theta ** (torch.arange(0, d, 2).float() / d))
        freqs = torch.outer(torch.arange(t).float(), inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos(), emb.sin()
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        s = q @ k.transpose(-1, -2) / math.sqrt(d)
        s = s.masked_fill(torch.ones(t, t, dtype=torch.bool).triu(1), torch.finfo(s.dtype).min)
        o = (s.float().softmax(-1).to(q.dtype) @ v).transpose(1, 2).reshape(b, t, w)
        return self.o_proj(o)


class LlamaMLP(nn.Module):
    def __init__(self, width, hidden):
        super().__init__()
        self.gate_proj = nn.Linear(width, hidden, bias=False)
        self.up_proj = nn.Linear(width, hidden, bias=False)
        self.down_proj = nn.Linear(hidden, width, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class LlamaDecoderLayer(nn.Module):
    def __init__(self, width, heads, hidden, eps, lora=0):
        super().__init__()
        self.self_attn = LlamaAttention(width, heads, lora=lora)
        self.mlp = LlamaMLP(width, hidden)
        self.input_layernorm = LlamaRMSNorm(width, eps)
        self.post_attention_layernorm = LlamaRMSNorm(width, eps)

    def forward(self, x):
        x = x + self.self_attn(self.input_layernorm(x))
        return x + self.mlp(self.post_attention_layernorm(x))


class LlamaModel(nn.Module):
    def __init__(self, vocab, width, depth, heads, hidden, eps, lora=0):
        super().__init__()
        self.embed_tokens = nn.Embedding(vocab, width)
        self.layers = nn.ModuleList([LlamaDecoderLayer(width, heads, hidden, eps, lora) for _ in range(depth)])
        self.norm = LlamaRMSNorm(width, eps)

    def forward(self, inputs_embeds):
        x = inputs_embeds
        for layer in self.layers:
            x = layer(x)
        return self.norm(x)


class LlamaForCausalLM(nn.Module):
    def __init__(self, vocab, width, depth, heads, hidden, eps, lora=0):
        super().__init__()
        self.model = LlamaModel(vocab, width, depth, heads, hidden, eps, lora)
        self.lm_head = nn.Linear(width, vocab, bias=False)

    def forward(self, inputs_embeds):
        h = self.model(inputs_embeds)
        return self.lm_head(h), h


def causal_lm_loss(logits, labels):
    """LlamaForCausalLM's loss: shift by one, CrossEntropyLoss(ignore_index=-100), mean."""
    v = logits.shape[-1]
    return F.cross_entropy(logits[:, :-1].reshape(-1, v), labels[:, 1:].reshape(-1), ignore_index=-100)


def full_labels(labels, n_before):
    """The official labels of the whole sequence: -100 on the prompt and the image."""
    ignore = torch.full((labels.shape[0], n_before), -100, dtype=labels.dtype)
    return torch.cat([ignore, labels], dim=1)


# ------------------------------------------------------------------- CLIP vision (HF)
def quick_gelu(x):
    return x * torch.sigmoid(1.702 * x)


class CLIPAttention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.q_proj, self.k_proj = nn.Linear(width, width), nn.Linear(width, width)
        self.v_proj, self.out_proj = nn.Linear(width, width), nn.Linear(width, width)

    def forward(self, x):
        b, t, w = x.shape
        d = w // self.heads
        sp = lambda y: y.view(b, t, self.heads, d).transpose(1, 2)
        q, k, v = sp(self.q_proj(x) * d ** -0.5), sp(self.k_proj(x)), sp(self.v_proj(x))
        o = ((q @ k.transpose(-1, -2)).softmax(-1) @ v).transpose(1, 2).reshape(b, t, w)
        return self.out_proj(o)


class CLIPMLP(nn.Module):
    def __init__(self, width, hidden, act):
        super().__init__()
        self.act = act
        self.fc1, self.fc2 = nn.Linear(width, hidden), nn.Linear(hidden, width)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class CLIPEncoderLayer(nn.Module):
    def __init__(self, width, heads, act, eps):
        super().__init__()
        self.self_attn = CLIPAttention(width, heads)
        self.layer_norm1 = nn.LayerNorm(width, eps=eps)
        self.mlp = CLIPMLP(width, 4 * width, act)
        self.layer_norm2 = nn.LayerNorm(width, eps=eps)

    def forward(self, x):
        x = x + self.self_attn(self.layer_norm1(x))
        return x + self.mlp(self.layer_norm2(x))


class CLIPEncoder(nn.Module):
    def __init__(self, width, depth, heads, act, eps):
        super().__init__()
        self.layers = nn.ModuleList([CLIPEncoderLayer(width, heads, act, eps) for _ in range(depth)])


class CLIPVisionEmbeddings(nn.Module):
    def __init__(self, image, patch, width):
        super().__init__()
        self.class_embedding = nn.Parameter(torch.zeros(width))
        self.patch_embedding = nn.Conv2d(3, width, patch, stride=patch, bias=False)
        self.position_embedding = nn.Embedding((image // patch) ** 2 + 1, width)

    def forward(self, pixels):
        p = self.patch_embedding(pixels).flatten(2).transpose(1, 2)
        return torch.cat([self.class_embedding.expand(p.shape[0], 1, -1), p], 1) + self.position_embedding.weight


class CLIPVisionTransformer(nn.Module):
    def __init__(self, image, patch, width, depth, heads, act, eps=1e-5):
        super().__init__()
        self.embeddings = CLIPVisionEmbeddings(image, patch, width)
        self.pre_layrnorm = nn.LayerNorm(width, eps=eps)
        self.encoder = CLIPEncoder(width, depth, heads, act, eps)
        self.post_layernorm = nn.LayerNorm(width, eps=eps)  # pooled output only; LLaVA never reads it

    def hidden_states(self, pixels):
        """output_hidden_states=True: the embeddings (after pre_layrnorm), then every layer's output."""
        hs = [self.pre_layrnorm(self.embeddings(pixels))]
        for layer in self.encoder.layers:
            hs.append(layer(hs[-1]))
        return hs


class CLIPVisionModel(nn.Module):
    def __init__(self, image, patch, width, depth, heads, act):
        super().__init__()
        self.vision_model = CLIPVisionTransformer(image, patch, width, depth, heads, act)

    def select_features(self, pixels):
        return self.vision_model.hidden_states(pixels)[-2][:, 1:]


# ------------------------------------------------------------------------------ LLaVA
class LlavaMultiModalProjector(nn.Module):
    def __init__(self, vw, tw):
        super().__init__()
        self.linear_1, self.linear_2 = nn.Linear(vw, tw), nn.Linear(tw, tw)

    def forward(self, x):
        return self.linear_2(F.gelu(self.linear_1(x)))


class LlavaForConditionalGeneration(nn.Module):
    def __init__(self, vocab, width, depth, heads, hidden, eps, vision, act):
        super().__init__()
        self.vision_tower = CLIPVisionModel(*vision, act=act)
        self.multi_modal_projector = LlavaMultiModalProjector(vision[2], width)
        self.language_model = LlamaForCausalLM(vocab, width, depth, heads, hidden, eps)

    def forward(self, pixel_values, prompt_ids, input_ids, labels):
        img = self.multi_modal_projector(self.vision_tower.select_features(pixel_values))
        emb = self.language_model.model.embed_tokens
        x = torch.cat([emb(prompt_ids), img, emb(input_ids)], 1)
        logits, _ = self.language_model(x)
        n = prompt_ids.shape[1] + img.shape[1]
        return {"logits": logits[:, n:], "loss_lm": causal_lm_loss(logits, full_labels(labels, n))}


class LlavaLlamaModel(LlamaModel):
    def __init__(self, vocab, width, depth, heads, hidden, eps, vision, act):
        super().__init__(vocab, width, depth, heads, hidden, eps)
        self.vision_tower = CLIPVisionModel(*vision, act=act)
        self.mm_projector = nn.Linear(vision[2], width)


class LlavaLlamaForCausalLM(nn.Module):
    def __init__(self, vocab, width, depth, heads, hidden, eps, vision, act):
        super().__init__()
        self.model = LlavaLlamaModel(vocab, width, depth, heads, hidden, eps, vision, act)
        self.lm_head = nn.Linear(width, vocab, bias=False)

    def forward(self, pixel_values, prompt_ids, input_ids, labels):
        m = self.model
        img = m.mm_projector(m.vision_tower.select_features(pixel_values))
        x = torch.cat([m.embed_tokens(prompt_ids), img, m.embed_tokens(input_ids)], 1)
        logits = self.lm_head(LlamaModel.forward(m, x))
        n = prompt_ids.shape[1] + img.shape[1]
        return {"logits": logits[:, n:], "loss_lm": causal_lm_loss(logits, full_labels(labels, n))}


# vision: (image, patch, width, depth, heads)
VISION = (32, 8, 48, 2, 4)


def build(model, control):
    """control: CLIP's quick_gelu constant 1.702 becomes 1.6 (must fail)."""
    act = (lambda x: x * torch.sigmoid(1.6 * x)) if control else quick_gelu
    if model == "LLaVA_1_5_7B_Tiny":
        m = LlavaForConditionalGeneration(1000, 64, 2, 4, 128, 1e-5, VISION, act)
    elif model == "LLaVA_1_5_13B_Tiny":
        m = LlavaForConditionalGeneration(1000, 64, 2, 8, 128, 1e-5, VISION, act)
    elif model == "LLaVA_13B_Tiny":
        m = LlavaLlamaForCausalLM(1000, 64, 2, 4, 128, 1e-6, VISION, act)
    else:
        raise KeyError(model)
    return m, lambda mod, inp: mod(inp["pixel_values"], inp["prompt_ids"], inp["input_ids"], inp["labels"])
