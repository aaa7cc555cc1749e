"""CogVLM (Wang et al., 2023) as THUDM's Hugging Face code runs it (THUDM/cogvlm-chat-hf).

Provenance: the Hugging Face port of THUDM's hub code, huggingface/transformers,
src/transformers/models/cogvlm/modeling_cogvlm.py at commit 016d793 (CogvlmPatchEmbedding,
CogvlmVisionAttention, CogvlmVisionMLP, CogvlmVisionTransformerLayer, CogvlmVisionGLU,
CogvlmVisionModel, CogvlmRMSNorm, CogvlmMLP, get_expert_mask, CogvlmRotaryEmbedding,
apply_rotary_pos_emb, CogvlmVisionExpertAttention (eager), CogvlmDecoderLayer,
build_position_ids, CogvlmModel.forward, CogvlmForCausalLM.forward with its shifted
CrossEntropyLoss), configuration_cogvlm.py (vision layer_norm_eps 1e-6, GELU; decoder
rms_norm_eps 1e-5, SiLU) and util.py (the hub's FastRotaryEmbedding: a persistent `inv_freq`
buffer, non-interleaved rotation), cross-checked against the official SAT code,
THUDM/CogVLM commit f7283b2 (utils/models/cogvlm_model.py: GLU, ImageMixin;
utils/models/eva_clip_model.py: NewLayerForward, which normalises each branch's output before
the residual; utils/models/mixin.py: the expert routing). Written anew in plain torch with the
checkpoint's state-dict names, including the rotary `inv_freq` buffers.

The sequence is build_conversation_input_ids' layout: [BOS; boi, patches, eoi; input_ids]
with token types [L; V ... V; L ...]: boi and the patches go to the vision expert (a vision
token followed by a vision token), eoi and the text to the language expert; positions from
build_position_ids. The whole sequence is causal. `logits` are the text positions' logits;
`loss_lm` is CogvlmForCausalLM's loss with labels [-100 at BOS and the image tokens; labels],
i.e. shifted over the whole sequence (the eoi position predicts the first text label).
Sizes are the stdlib's CogVLM_17B_Tiny (stdlib/models/cogvlm.mm).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

MODELS = ["CogVLM_17B_Tiny"]
SOURCE = "huggingface/transformers 016d793 (modeling_cogvlm.py), THUDM/CogVLM f7283b2"  # the official code followed, for stdlib/README.md
LAYOUT = "sat"  # SwissArmyTransformer's names (`query_key_value`, `dense`), the model's default

VOCAB, WIDTH, DEPTH, HEADS, HIDDEN, RMS_EPS = 1000, 64, 2, 4, 128, 1e-5
IMAGE, PATCH, V_WIDTH, V_DEPTH, V_HEADS, V_HIDDEN, V_EPS = 28, 14, 48, 2, 4, 96, 1e-6
LANGUAGE, VISION = 0, 1


class PatchEmbedding(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Conv2d(3, V_WIDTH, PATCH, stride=PATCH)
        self.cls_embedding = nn.Parameter(torch.zeros(1, V_WIDTH))
        self.position_embedding = nn.Embedding((IMAGE // PATCH) ** 2 + 1, V_WIDTH)

    def forward(self, x):
        x = self.proj(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_embedding.expand(x.shape[0], -1, -1), x], 1)
        return x + self.position_embedding.weight.unsqueeze(0)


class VisionAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.query_key_value = nn.Linear(V_WIDTH, 3 * V_WIDTH)
        self.dense = nn.Linear(V_WIDTH, V_WIDTH)

    def forward(self, x):
        b, n, _ = x.shape
        qkv = self.query_key_value(x).reshape(b, n, 3, V_HEADS, -1).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0] * (V_WIDTH // V_HEADS) ** -0.5, qkv[1], qkv[2]
        o = ((q @ k.transpose(-2, -1)).softmax(-1) @ v).transpose(1, 2).reshape(b, n, -1)
        return self.dense(o)


class VisionMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(V_WIDTH, V_HIDDEN), nn.Linear(V_HIDDEN, V_WIDTH)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class VisionLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.input_layernorm = nn.LayerNorm(V_WIDTH, eps=V_EPS)
        self.attention = VisionAttention()
        self.mlp = VisionMLP()
        self.post_attention_layernorm = nn.LayerNorm(V_WIDTH, eps=V_EPS)

    def forward(self, x):
        x = x + self.input_layernorm(self.attention(x))
        return x + self.post_attention_layernorm(self.mlp(x))


class VisionTransformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([VisionLayer() for _ in range(V_DEPTH)])


class GLU(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear_proj = nn.Linear(V_WIDTH, WIDTH, bias=False)
        self.norm1 = nn.LayerNorm(WIDTH)
        self.dense_h_to_4h = nn.Linear(WIDTH, HIDDEN, bias=False)
        self.gate_proj = nn.Linear(WIDTH, HIDDEN, bias=False)
        self.dense_4h_to_h = nn.Linear(HIDDEN, WIDTH, bias=False)

    def forward(self, x):
        x = F.gelu(self.norm1(self.linear_proj(x)))
        return self.dense_4h_to_h(F.silu(self.gate_proj(x)) * self.dense_h_to_4h(x))


class VisionModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.patch_embedding = PatchEmbedding()
        self.transformer = VisionTransformer()
        self.linear_proj = GLU()
        self.boi = nn.Parameter(torch.zeros(1, 1, WIDTH))
        self.eoi = nn.Parameter(torch.zeros(1, 1, WIDTH))

    def forward(self, pixels):
        x = self.patch_embedding(pixels)
        for layer in self.transformer.layers:
            x = layer(x)
        x = self.linear_proj(x[:, 1:])
        b = x.shape[0]
        return torch.cat([self.boi.expand(b, -1, -1), x, self.eoi.expand(b, -1, -1)], 1)


class RMSNorm(nn.Module):
    def __init__(self, n, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(n))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.gate_proj = nn.Linear(WIDTH, HIDDEN, bias=False)
        self.up_proj = nn.Linear(WIDTH, HIDDEN, bias=False)
        self.down_proj = nn.Linear(HIDDEN, WIDTH, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


def expert_masks(token_type_ids):
    vision = torch.zeros_like(token_type_ids, dtype=torch.bool)
    vision[:, :-1] = (token_type_ids[:, :-1] == VISION) & (token_type_ids[:, 1:] == VISION)
    return vision, ~vision


class VisionExpertMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.language_mlp, self.vision_mlp = MLP(), MLP()

    def forward(self, x, tt):
        vm, lm = expert_masks(tt)
        out = torch.empty_like(x)
        out[vm] = self.vision_mlp(x[vm])
        out[lm] = self.language_mlp(x[lm])
        return out


class RotaryEmbedding(nn.Module):
    def __init__(self, dim, base):
        super().__init__()
        self.register_buffer("inv_freq", 1.0 / (base ** (torch.arange(0, dim, 2).float() / dim)))

    def forward(self, position_ids):
        freqs = position_ids.float()[..., None] * self.inv_freq
        emb = torch.cat([freqs, freqs], -1)
        return emb.cos(), emb.sin()


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], -1)


class VisionExpertAttention(nn.Module):
    def __init__(self, base):
        super().__init__()
        self.head_dim = WIDTH // HEADS
        self.rotary_emb = RotaryEmbedding(self.head_dim, base)
        self.vision_expert_query_key_value = nn.Linear(WIDTH, 3 * WIDTH, bias=False)
        self.vision_expert_dense = nn.Linear(WIDTH, WIDTH, bias=False)
        self.language_expert_query_key_value = nn.Linear(WIDTH, 3 * WIDTH, bias=False)
        self.language_expert_dense = nn.Linear(WIDTH, WIDTH, bias=False)

    def forward(self, x, tt, position_ids, mask):
        b, t, _ = x.shape
        vm, lm = expert_masks(tt)
        mixed = torch.empty(b, t, 3 * WIDTH)
        mixed[vm] = self.vision_expert_query_key_value(x[vm])
        mixed[lm] = self.language_expert_query_key_value(x[lm])
        q, k, v = (y.view(b, t, HEADS, self.head_dim).transpose(1, 2) for y in mixed.split(WIDTH, -1))
        cos, sin = self.rotary_emb(position_ids)  # [B, T, head_dim]
        cos, sin = cos.unsqueeze(1), sin.unsqueeze(1)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        s = (q @ k.transpose(2, 3)) * self.head_dim ** -0.5 + mask
        ctx = (s.softmax(-1) @ v).transpose(1, 2).reshape(b, t, WIDTH)
        out = torch.empty_like(ctx)
        out[vm] = self.vision_expert_dense(ctx[vm])
        out[lm] = self.language_expert_dense(ctx[lm])
        return out


class DecoderLayer(nn.Module):
    def __init__(self, eps, base):
        super().__init__()
        self.self_attn = VisionExpertAttention(base)
        self.mlp = VisionExpertMLP()
        self.input_layernorm = RMSNorm(WIDTH, eps)
        self.post_attention_layernorm = RMSNorm(WIDTH, eps)

    def forward(self, x, tt, pos, mask):
        x = x + self.self_attn(self.input_layernorm(x), tt, pos, mask)
        return x + self.mlp(self.post_attention_layernorm(x), tt)


def build_position_ids(tt):
    tmp = tt.clone()
    boi_eoi = torch.zeros_like(tt, dtype=torch.bool)
    boi_eoi[:, 1:] |= (tmp[:, 1:] == VISION) & (tmp[:, :-1] == LANGUAGE)
    boi_eoi[:, 0] |= tmp[:, 0] == VISION
    boi_eoi[:, :-1] |= (tmp[:, :-1] == VISION) & (tmp[:, 1:] == LANGUAGE)
    boi_eoi[:, -1] |= tmp[:, -1] == VISION
    tmp[boi_eoi] = LANGUAGE
    pos = torch.zeros_like(tt)
    pos[:, 1:] = ((tmp[:, 1:] == LANGUAGE) | ((tmp[:, 1:] == VISION) & (tmp[:, :-1] == LANGUAGE))).long()
    return pos.cumsum(-1)


class CogVLMModel(nn.Module):
    def __init__(self, eps, base):
        super().__init__()
        self.vision = VisionModel()
        self.embed_tokens = nn.Embedding(VOCAB, WIDTH, padding_idx=0)
        self.layers = nn.ModuleList([DecoderLayer(eps, base) for _ in range(DEPTH)])
        self.norm = RMSNorm(WIDTH, eps)


class CogVLMForCausalLM(nn.Module):
    def __init__(self, eps=RMS_EPS, base=10000.0):
        super().__init__()
        self.model = CogVLMModel(eps, base)
        self.lm_head = nn.Linear(WIDTH, VOCAB, bias=False)

    def forward(self, pixel_values, input_ids, labels):
        b, n = input_ids.shape
        n_vision = (IMAGE // PATCH) ** 2 + 2
        # build_conversation_input_ids: [BOS] + [pad] * vision tokens + text
        ids = torch.cat([torch.ones(b, 1, dtype=torch.long), torch.zeros(b, n_vision, dtype=torch.long), input_ids], 1)
        tt = torch.cat([torch.full((b, 1), LANGUAGE), torch.full((b, n_vision), VISION),
                        torch.full((b, n), LANGUAGE)], 1).long()
        m = self.model
        x = m.embed_tokens(ids)
        x = x.index_put([tt == VISION], m.vision(pixel_values).reshape(-1, WIDTH))
        pos = build_position_ids(tt)
        t = x.shape[1]
        mask = torch.full((t, t), float("-inf")).triu(1)[None, None]
        for layer in m.layers:
            x = layer(x, tt, pos, mask)
        logits = self.lm_head(m.norm(x))
        full_labels = torch.cat([torch.full((b, 1 + n_vision), -100, dtype=torch.long), labels], 1)
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, VOCAB), full_labels[:, 1:].reshape(-1))
        return {"logits": logits[:, 1 + n_vision:], "loss_lm": loss}


def build(model, control):
    """control: the decoder's RMSNorm eps 1e-5 becomes 1e-2 (must fail; the rotary base no
    longer can, since inv_freq is a buffer loaded from the weights)."""
    m = CogVLMForCausalLM(eps=1e-2 if control else RMS_EPS)
    return m, lambda mod, inp: mod(inp["pixel_values"], inp["input_ids"], inp["labels"])
