# Multiway transformers: one transformer whose layers share self-attention across modalities
# but route every token to feed-forward experts of its modality (`route by modality`).
#
# Two official layouts live here, each named as its released code names it:
#
# - VLMo (Wang et al., 2021; microsoft/unilm vlmo/modules/multiway_transformer.py): a pre-LN
#   layer with one shared attention (`attn.qkv`, `q_bias`, `v_bias`, `proj`), a vision, a
#   language and (in the top layers) a vision-language FFN expert, each with its own norm,
#   layer scale (`gamma_1`, `gamma_2`) and a relative position bias that the model gathers from
#   one table for all layers.
# - BEiT-3 (Wang et al., 2022; microsoft/torchscale, model/BEiT3.py): Magneto (sub-LN) layers
#   in which every linear layer and norm is a `MultiwayNetwork` of two copies, `A` for the image
#   tokens and `B` for the text tokens, split at the boundary between them.
#
# Parameter-name exception (VLMo only): the official block holds its experts as sibling
# attributes `mlp_imag`, `mlp_text`, `mlp_vl` and `norm2_imag`, `norm2_text`, `norm2_vl`. Here
# each set is one routed experts block, so the paths are `mlp.imag`, `mlp.text`, `mlp.vl` and
# `norm2.imag`, `norm2.text`, `norm2.vl`: a checkpoint maps by replacing `mlp_` with `mlp.` and
# `norm2_` with `norm2.`. BEiT-3's names map one to one.

import "std/nn/layers.mm"
import "std/nn/mlp.mm"

# ---------------------------------------------------------------------------------------------
# VLMo

## VLMo's feed-forward experts: `imag` (V-FFN), `text` (L-FFN) and, in the top layers, `vl`
## (VL-FFN). Each is a two-layer GELU MLP (`fc1`, `fc2`) as in the official `Mlp`.
experts ModalityFFN(width: Int, hidden: Int, with_vl: Bool = false) {
  text = MLP(width, hidden)
  imag = MLP(width, hidden)
  vl = MLP(width, hidden) if with_vl
  route by modality
}

## The norm in front of each FFN expert: one LayerNorm per expert, routed like the experts.
experts ModalityNorm(width: Int, with_vl: Bool = false, eps: Float = 1e-6) {
  text = LayerNorm(width, eps: eps)
  imag = LayerNorm(width, eps: eps)
  vl = LayerNorm(width, eps: eps) if with_vl
  route by modality
}

## VLMo's shared self-attention (BEiT's layout): one bias-free packed projection `qkv` with
## separate `q_bias` and `v_bias` (the key has no bias), and the output projection `proj`.
## `bias` is added to the attention scores: the relative position bias of this layer plus
## the padding mask (-1e9 at padded keys).
block VLMoAttention(width: Int, heads: Int, qkv_bias: Bool = true) where width % heads == 0 {
  qkv = Linear(width, 3 * width, bias: false)
  param q_bias: [width] init zeros if qkv_bias
  param v_bias: [width] init zeros if qkv_bias
  proj = Linear(width, width)
  forward(x: [B, T, width], bias: [B, heads, T, T]) -> [B, T, width] {
    let b = if qkv_bias then concat([q_bias, zeros([width]), v_bias]) else none
    let (q, k, v) = split(linear(x, qkv.weight, b), [width, width, width], axis: -1)
    return proj(attention(q, k, v, mask: bias, heads: heads))
  }
}

## One multiway layer: shared attention, then the FFN expert of the tokens' modality, both
## residual branches scaled by layer scale (gamma, initialised to 0.1).
##   modality "image": every token through V-FFN; "text": through L-FFN;
##   "vl": through VL-FFN in a layer that has one, else the first `text_len` tokens (the text
##   comes first in VLMo's image-text sequence) through L-FFN and the rest through V-FFN.
block VLMoBlock(width: Int, heads: Int, hidden: Int = 4 * width, with_vl: Bool = false,
                layer_scale: Float = 0.1, eps: Float = 1e-6) {
  norm1 = LayerNorm(width, eps: eps)
  attn = VLMoAttention(width, heads)
  norm2 = ModalityNorm(width, with_vl: with_vl, eps: eps)
  mlp = ModalityFFN(width, hidden, with_vl: with_vl)
  param gamma_1: [width] init const(layer_scale)
  param gamma_2: [width] init const(layer_scale)
  forward(x: [B, T, width], bias: [B, heads, T, T], modality: String, text_len: Int = 0) -> [B, T, width] {
    x = x + gamma_1 * attn(norm1(x), bias)
    let by_span = modality == "vl" && !with_vl
    let experts = if by_span then ["text", "imag"] else [if modality == "image" then "imag" else modality]
    let spans = if by_span then [text_len, T - text_len] else [T]
    let h = norm2(x, modality: experts, split: spans)
    return x + gamma_2 * mlp(h, modality: experts, split: spans)
  }

  ## The official checkpoints (microsoft/unilm vlmo): each modality expert is an attribute of
  ## the block, `mlp_imag`, `norm2_text`, where mm routes `mlp.imag`, `norm2.text`.
  layout unilm {
    "mlp.imag.**": "mlp_imag.**"
    "mlp.text.**": "mlp_text.**"
    "mlp.vl.**": "mlp_vl.**"
    "norm2.imag.**": "norm2_imag.**"
    "norm2.text.**": "norm2_text.**"
    "norm2.vl.**": "norm2_vl.**"
  }
}

## The official `PatchEmbed`: a convolution `proj` with stride = kernel, flattened to tokens.
block VLMoPatchEmbed(channels: Int, width: Int, patch: Int) {
  proj = PatchEmbed(channels, width, patch)
  forward(pixels: [B, channels, H, W]) -> [B, (H // patch) * (W // patch), width] {
    return proj(pixels)
  }
}

## The official `MultiWayTransformer` (module `transformer`): patch embedding, class token, the
## layers (VL-FFN from layer `depth - vl_layers` on) and the final norm; no absolute position
## embedding (VLMo uses relative position bias). With `mim`, BEiT's masked-image-modeling
## parts of the image-only stage are added (`mask_token`, `lm_head` over the 8192 visual
## tokens), where VLMo's loader puts a BEiT checkpoint (`transformer.` + BEiT's names).
##
## forward runs the layers `start` to `stop - 1` with the given routing; `bias` holds every
## layer's attention bias, [depth, B, heads, T, T]. The model calls `patch_embed`, reads
## `cls_token` and applies `norm` itself, since each task routes differently.
block VLMoTransformer(image: Int = 224, patch: Int = 16, width: Int = 768, depth: Int = 12,
                      heads: Int = 12, mlp_ratio: Int = 4, vl_layers: Int = 2,
                      layer_scale: Float = 0.1, mim: Bool = false, visual_vocab: Int = 8192,
                      eps: Float = 1e-6)
  where image % patch == 0, vl_layers <= depth {
  let vlffn_start_layer_index = depth - vl_layers
  patch_embed = VLMoPatchEmbed(3, width, patch)
  param cls_token: [1, 1, width] init trunc_normal(std: 0.02)
  param mask_token: [1, 1, width] init trunc_normal(std: 0.02) if mim
  blocks = repeat depth as i VLMoBlock(width, heads, mlp_ratio * width,
                                       with_vl: i >= vlffn_start_layer_index,
                                       layer_scale: layer_scale, eps: eps)
  norm = LayerNorm(width, eps: eps)
  lm_head = Linear(width, visual_vocab) if mim
  forward(x: [B, T, width], bias: [depth, B, heads, T, T], modality: String, text_len: Int = 0,
          start: Int = 0, stop: Int = depth) -> [B, T, width] {
    for i in range(start, stop) {
      x = blocks[i](x, bias[i], modality: modality, text_len: text_len)
    }
    return x
  }
}

## VLMo's relative position index, computed as the official module does (its
## `relative_position_index`, `text_relative_position_index` and
## `text_imag_relative_position_index`): rows of the model's one bias table for every pair of
## tokens. `image`: the class token and window x window patches, 2-D offsets, with three extra
## rows for the class token; `text`: 1-D offsets of up to `max_text_len_of_initckpt` tokens,
## three extra rows for [CLS]; `vl`: text then image, one row for each cross-modal direction.
block VLMoRelativePositionIndex(window: Int, max_text_len_of_initckpt: Int = 196) {
  let patches = window * window
  let num_relative_distance = (2 * window - 1) ** 2 + 3
  let all_num_relative_distance = num_relative_distance + 2 * max_text_len_of_initckpt + 2
  forward(modality: String, text_len: Int = 0) -> [L, L] int64 {   # text_len: the words' count
    # image: (dh + window - 1) * (2 * window - 1) + (dw + window - 1) between patches
    let h = reshape(expand(unsqueeze(arange(window), 1), [window, window]), [patches])
    let w = reshape(expand(unsqueeze(arange(window), 0), [window, window]), [patches])
    let offsets = (unsqueeze(h, 1) - unsqueeze(h, 0) + (window - 1)) * (2 * window - 1)
                  + unsqueeze(w, 1) - unsqueeze(w, 0) + (window - 1)
    let cls_row = concat([ones([1, 1], dtype: "int64") * (num_relative_distance - 1),
                          ones([1, patches], dtype: "int64") * (num_relative_distance - 3)], axis: 1)
    let patch_rows = concat([ones([patches, 1], dtype: "int64") * (num_relative_distance - 2), offsets], axis: 1)
    let image_index = concat([cls_row, patch_rows], axis: 0)
    if modality == "image" { return image_index }
    # text: j - i + max_text_len_of_initckpt + num_relative_distance between words
    let n = text_len
    let pos = arange(n - 1)
    let words = unsqueeze(pos, 0) - unsqueeze(pos, 1) + (max_text_len_of_initckpt + num_relative_distance)
    let first_row = concat([ones([1, 1], dtype: "int64") * (all_num_relative_distance - 1),
                            ones([1, n - 1], dtype: "int64") * (all_num_relative_distance - 3)], axis: 1)
    let word_rows = concat([ones([n - 1, 1], dtype: "int64") * (all_num_relative_distance - 2), words], axis: 1)
    let text_index = concat([first_row, word_rows], axis: 0)
    if modality == "text" { return text_index }
    # vl: text rows see the image through one entry, image rows see the text through another
    let text_rows = concat([text_index, ones([n, patches + 1], dtype: "int64") * num_relative_distance], axis: 1)
    let image_rows = concat([ones([patches + 1, n], dtype: "int64") * (num_relative_distance + 1), image_index], axis: 1)
    return concat([text_rows, image_rows], axis: 0)
  }
}

## The attention bias of every layer for one routing: the model's table
## `relative_position_bias_table` [distances, heads * depth] gathered by the index above, cut
## into one [heads, L, L] slice per layer, plus the padding mask (true = a real token) as -1e9
## at padded keys. No parameters of its own.
block VLMoRelativePositionBias(window: Int, heads: Int, depth: Int, max_text_len_of_initckpt: Int = 196) {
  let all_num_relative_distance = (2 * window - 1) ** 2 + 3 + 2 * max_text_len_of_initckpt + 2
  index = VLMoRelativePositionIndex(window, max_text_len_of_initckpt)
  forward(table: [all_num_relative_distance, heads * depth], modality: String, mask: [B, L] bool,
          text_len: Int = 0) -> [depth, B, heads, L, L] {
    let words = if modality == "text" then L else text_len
    let per_layer = reshape(permute(embedding(index(modality: modality, text_len: words), table), [2, 0, 1]),
                            [depth, 1, heads, L, L])
    let padding = masked_fill(zeros([1, B, 1, 1, L]), reshape(logical_not(mask), [1, B, 1, 1, L]), -1e9)
    return per_layer + padding
  }
}

# ---------------------------------------------------------------------------------------------
# BEiT-3 (torchscale)

## torchscale's `MultiwayNetwork`: two copies of a module, `A` for the image tokens (which come
## first) and `B` for the text tokens. Call it with `modality: ["A", "B"], split: [images,
## words]` for an image-text sequence, or `["A"]` / `["B"]` for one modality. Given a second
## module it is torchscale's `MutliwayEmbedding` (two different modules).
experts MultiwayNetwork(module: Block, other: Block = module) {
  A = module()
  B = other()
  route by modality
}

## torchscale's `FeedForwardNetwork` with sub-LN (Magneto): fc1, GELU, `ffn_layernorm`, fc2.
block FeedForwardNetwork(width: Int, hidden: Int, eps: Float = 1e-5) {
  fc1 = Linear(width, hidden)
  fc2 = Linear(hidden, width)
  ffn_layernorm = LayerNorm(hidden, eps: eps)
  forward(x: [..., width]) -> [..., width] {
    return fc2(ffn_layernorm(gelu(fc1(x))))
  }
}

## torchscale's `MultiheadAttention` in a multiway encoder: every projection and the sub-LN
## `inner_attn_ln` (before `out_proj`) are multiway; the attention itself spans all tokens.
## `mask` is true where a key may be attended to (not padding).
block MultiwayAttention(width: Int, heads: Int, eps: Float = 1e-5) where width % heads == 0 {
  k_proj = MultiwayNetwork(Linear(width, width))
  v_proj = MultiwayNetwork(Linear(width, width))
  q_proj = MultiwayNetwork(Linear(width, width))
  out_proj = MultiwayNetwork(Linear(width, width))
  inner_attn_ln = MultiwayNetwork(LayerNorm(width, eps: eps))
  forward(x: [B, T, width], mask: [B, 1, 1, T] bool = none, ways: [String], sizes: [Int]) -> [B, T, width] {
    let q = q_proj(x, modality: ways, split: sizes)
    let k = k_proj(x, modality: ways, split: sizes)
    let v = v_proj(x, modality: ways, split: sizes)
    let y = inner_attn_ln(attention(q, k, v, mask: mask, heads: heads), modality: ways, split: sizes)
    return out_proj(y, modality: ways, split: sizes)
  }
}

## torchscale's `EncoderLayer`, multiway and pre-LN: self-attention and FFN, each behind its
## own multiway LayerNorm (`self_attn_layer_norm`, `final_layer_norm`).
block MultiwayEncoderLayer(width: Int, heads: Int, hidden: Int = 4 * width, eps: Float = 1e-5) {
  self_attn = MultiwayAttention(width, heads, eps: eps)
  self_attn_layer_norm = MultiwayNetwork(LayerNorm(width, eps: eps))
  ffn = MultiwayNetwork(FeedForwardNetwork(width, hidden, eps: eps))
  final_layer_norm = MultiwayNetwork(LayerNorm(width, eps: eps))
  forward(x: [B, T, width], mask: [B, 1, 1, T] bool = none, ways: [String], sizes: [Int]) -> [B, T, width] {
    x = x + self_attn(self_attn_layer_norm(x, modality: ways, split: sizes), mask, ways, sizes)
    return x + ffn(final_layer_norm(x, modality: ways, split: sizes), modality: ways, split: sizes)
  }
}

## fairseq's learned positions as torchscale's `PositionalEmbedding`: positions count from 2.
block PositionalEmbedding(count: Int, width: Int) {
  param weight: [count, width] init normal(std: 0.02)
  forward(_x: [B, T, width]) -> [1, T, width] {   # only the length of x is read
    return unsqueeze(embedding(arange(T) + 2, weight), 0)
  }
}

## torchscale's `VisionEmbedding`: patch projection, a class token in front and a mask token
## that replaces the masked patches (masked image modeling).
block VisionEmbedding(image: Int = 224, patch: Int = 16, width: Int = 768) where image % patch == 0 {
  let patches = (image / patch) ** 2
  proj = PatchEmbed(3, width, patch)
  param mask_token: [1, 1, width] init zeros
  param cls_token: [1, 1, width] init zeros
  forward(pixels: [B, 3, image, image], masked_position: [B, patches] bool = none) -> [B, patches + 1, width] {
    let x = proj(pixels)
    if masked_position != none {
      let w = unsqueeze(cast(masked_position, "float32"), -1)
      x = x * (1.0 - w) + mask_token * w
    }
    return concat([expand(cls_token, [B, 1, width]), x], axis: 1)
  }
}

## torchscale's `Encoder` for BEiT-3: multiway positions (`A`: image, num_patches + 1 + 2
## rows; `B`: text, `max_source_positions` rows), the layers and a multiway final LayerNorm.
## Padded tokens (true in `padding`) are zeroed and masked out as keys.
block MultiwayEncoder(width: Int, depth: Int, heads: Int, hidden: Int = 4 * width,
                      vision_positions: Int = 199, max_source_positions: Int = 1024, eps: Float = 1e-5) {
  embed_positions = MultiwayNetwork(PositionalEmbedding(vision_positions, width),
                                    PositionalEmbedding(max_source_positions, width))
  layers = repeat depth MultiwayEncoderLayer(width, heads, hidden, eps: eps)
  layer_norm = MultiwayNetwork(LayerNorm(width, eps: eps))
  forward(x: [B, T, width], padding: [B, T] bool = none, ways: [String], sizes: [Int]) -> [B, T, width] {
    x = x + embed_positions(x, modality: ways, split: sizes)
    let mask = if padding == none then none else reshape(logical_not(padding), [B, 1, 1, T])
    if padding != none {
      x = x * (1.0 - unsqueeze(cast(padding, "float32"), -1))
    }
    for layer in layers {
      x = layer(x, mask, ways, sizes)
    }
    return layer_norm(x, modality: ways, split: sizes)
  }
}

## torchscale's `BEiT3` (module `beit3`): text and image embeddings into one multiway encoder.
## Either input may be left out, not both; with both, the image tokens come first, so `A`
## serves the image and `B` the text. Returns the encoder output (`encoder_out`). The sizes
## have no defaults (the models give them), so `mm check` does not trace a call without inputs.
block BEiT3(image: Int, patch: Int, width: Int, depth: Int, heads: Int, hidden: Int = 4 * width,
            vocab: Int = 64010, max_source_positions: Int = 1024, eps: Float = 1e-5)
  where image % patch == 0 {
  let patches = (image / patch) ** 2
  text_embed = Embedding(vocab, width)
  vision_embed = VisionEmbedding(image, patch, width)
  encoder = MultiwayEncoder(width, depth, heads, hidden, vision_positions: patches + 3,
                            max_source_positions: max_source_positions, eps: eps)
  forward(textual_tokens: [B, T] int64 = none, visual_tokens: [B, 3, image, image] = none,
          text_padding_position: [B, T] bool = none,
          vision_masked_position: [B, patches] bool = none) -> [B, L, width] {
    if textual_tokens == none {
      return encoder(vision_embed(visual_tokens, vision_masked_position), ways: ["A"], sizes: [patches + 1])
    }
    if visual_tokens == none {
      return encoder(text_embed(textual_tokens), text_padding_position, ways: ["B"], sizes: [T])
    }
    let x = concat([vision_embed(visual_tokens, vision_masked_position), text_embed(textual_tokens)], axis: 1)
    let padding = if text_padding_position == none then none
                  else concat([zeros([B, patches + 1], dtype: "bool"), text_padding_position], axis: 1)
    return encoder(x, padding, ways: ["A", "B"], sizes: [patches + 1, T])
  }
}
