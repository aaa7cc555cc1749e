# Deep prompts for CLIP's two towers (prompt learning, survey §5): MaPLe (Khattak et al.,
# CVPR 2023) and PromptSRC (Khattak et al., ICCV 2023) insert learnable tokens into the input
# of CLIP's first `prompt_depth` transformer layers, in both towers, and keep CLIP frozen.
#
# The towers here are Hugging Face's CLIP towers (std/towers/vit.mm `CLIPVisionTransformer`,
# std/towers/clip_text.mm `CLIPTextTransformer`) with the same submodules and parameter paths
# (`embeddings`, `pre_layrnorm`, `encoder.layers.N.{self_attn,layer_norm1,mlp,layer_norm2}`,
# `post_layernorm`, `final_layer_norm`), so CLIP's HF checkpoint loads into them unchanged;
# what differs is the forward, which takes the prompts:
#
#   vision  the first layer's prompts are appended after the class and patch tokens (before
#           `pre_layrnorm`); each layer i in 1 .. prompt_depth-1 drops the last n_ctx tokens
#           (what the previous layer made of the prompts) and appends its own.
#   text    the first layer's prompts replace the token embeddings at positions 1 .. n_ctx
#           (after the start token; the prompt ids carry placeholder words there), and each
#           layer i in 1 .. prompt_depth-1 replaces those positions again with its own.
#
# This is the official code's behaviour (`clip/model.py` of muzairkhattak/multimodal-prompt-learning
# and muzairkhattak/PromptSRC: `ResidualAttentionBlock_MaPLe`, `ResidualAttentionBlock_IVLP`,
# `VisionTransformer(_MaPLe)`, the prompt learners' `construct_prompts`).
#
# Where the deep prompts live differs between the two methods, and so do their names:
#   MaPLe      every prompt comes from the prompt learner (`prompt_learner.ctx`,
#              `prompt_learner.compound_prompts_text`, their projections): the towers take
#              them as inputs (`shallow`, `deep`) and own no prompt parameters.
#   PromptSRC  (independent V-L prompting, the official `IVLP` design) the layers own theirs:
#              `encoder.layers.N.VPT_shallow` for N in 1 .. prompt_depth-1 in both towers, and
#              the image tower's first-layer prompts `VPT` (`own_prompts: true`); only the text
#              tower's first-layer prompts come from outside (`prompt_learner.ctx`).
# OpenAI's names for these (`visual.VPT`, `visual.transformer.resblocks.N.VPT_shallow`,
# `transformer.resblocks.N.VPT_shallow`) map to `vision_model.VPT`,
# `vision_model.encoder.layers.N.VPT_shallow` and `text_model.encoder.layers.N.VPT_shallow`.

import "std/nn/layers.mm"
import "std/nn/mlp.mm"
import "std/nn/attention.mm"
import { CLIPVisionEmbeddings } from "std/towers/vit.mm"
import { CLIPTextEmbeddings } from "std/towers/clip_text.mm"

## A CLIP encoder layer (HF names, as std/nn `EncoderLayer`) whose input tokens at the prompt
## positions are replaced first: by `prompt` when given, or by its own `VPT_shallow` when the
## layer has one (`add_prompt`, PromptSRC) and the call is `prompted`. Text layers replace
## positions 1 .. n_ctx; image layers the last n_ctx tokens.
block PromptedEncoderLayer(width: Int, heads: Int, hidden: Int = 4 * width, act: Act = Act.quick_gelu,
                           eps: Float = 1e-5, n_ctx: Int = 1, add_prompt: Bool = false, text: Bool = false) {
  layer_norm1 = LayerNorm(width, eps: eps)
  self_attn = Attention(width, heads)
  layer_norm2 = LayerNorm(width, eps: eps)
  mlp = MLP(width, hidden, act: act)
  param VPT_shallow: [n_ctx, width] init normal(std: 0.02) if add_prompt
  forward(x: [B, T, width], prompt: [n_ctx, width] = none, prompted: Bool = true, causal: Bool = false)
    -> [B, T, width] {
    let deep = if add_prompt && prompted then VPT_shallow else prompt
    if deep != none {
      let tokens = expand(unsqueeze(deep, 0), [B, n_ctx, width])
      if text {
        x = concat([x[:, 0:1], tokens, x[:, 1 + n_ctx:]], axis: 1)
      } else {
        x = concat([x[:, 0:T - n_ctx], tokens], axis: 1)
      }
    }
    x = x + self_attn(layer_norm1(x), causal: causal)
    return x + mlp(layer_norm2(x))
  }
}

## `layers.0` ... `layers.{depth-1}` (HF `CLIPEncoder`); with `own_prompts`, layers 1 ..
## prompt_depth-1 carry their own prompts (`VPT_shallow`).
block PromptedEncoder(width: Int, depth: Int, heads: Int, hidden: Int = 4 * width, eps: Float = 1e-5,
                      n_ctx: Int = 1, prompt_depth: Int = 1, own_prompts: Bool = false, text: Bool = false)
  where prompt_depth <= depth {
  layers = repeat depth as i PromptedEncoderLayer(width, heads, hidden: hidden, eps: eps, n_ctx: n_ctx,
                                                  add_prompt: own_prompts && i > 0 && i < prompt_depth,
                                                  text: text)
  ## `deep` [prompt_depth - 1, n_ctx, width] holds the prompts of layers 1 .. prompt_depth-1
  ## when they come from outside (MaPLe); `prompted: false` runs plain CLIP.
  forward(x: [B, T, width], deep: [D, n_ctx, width] = none, prompted: Bool = true, causal: Bool = false)
    -> [B, T, width] {
    for layer, i in layers {
      if prompted && deep != none && i > 0 && i < prompt_depth {
        x = layer(x, prompt: deep[i - 1], causal: causal)
      } else {
        x = layer(x, prompted: prompted, causal: causal)
      }
    }
    return x
  }
}

## CLIP's image tower (HF `CLIPVisionTransformer` parameters) with deep visual prompts:
## `shallow` [n_ctx, width] (MaPLe's projected `ctx`) or its own `VPT` (PromptSRC) is appended
## after the patch tokens before `pre_layrnorm`; `deep` feeds layers 1 .. prompt_depth-1.
## `prompted: false` is frozen CLIP itself (PromptSRC's zero-shot teacher).
tower PromptedCLIPVisionTransformer(image: Int = 224, patch: Int = 16, width: Int = 768, depth: Int = 12,
                                    heads: Int = 12, hidden: Int = 4 * width, eps: Float = 1e-5,
                                    n_ctx: Int = 2, prompt_depth: Int = 9, own_prompts: Bool = false)
  where image % patch == 0, width % heads == 0 {
  embeddings = CLIPVisionEmbeddings(image, patch, width)
  param VPT: [n_ctx, width] init normal(std: 0.02) if own_prompts
  pre_layrnorm = LayerNorm(width, eps: eps)
  encoder = PromptedEncoder(width, depth, heads, hidden: hidden, eps: eps, n_ctx: n_ctx,
                            prompt_depth: prompt_depth, own_prompts: own_prompts)
  post_layernorm = LayerNorm(width, eps: eps)
  forward(pixel_values: [B, 3, image, image], shallow: [n_ctx, width] = none,
          deep: [D, n_ctx, width] = none, prompted: Bool = true) -> [B, width] {
    let x = embeddings(pixel_values)
    let first = if own_prompts then VPT else shallow
    if prompted && first != none {
      x = concat([x, expand(unsqueeze(first, 0), [B, n_ctx, width])], axis: 1)
    }
    x = encoder(pre_layrnorm(x), deep: deep, prompted: prompted)
    # the pooled output: the class token after `post_layernorm`
    return post_layernorm(x[:, 0])
  }
}

## CLIP's text tower (HF `CLIPTextTransformer` parameters) with deep text prompts: `ctx`
## [n_ctx, width] replaces the token embeddings of `input_ids` at positions 1 .. n_ctx (the
## prompt learners' `token_prefix` / `ctx` / `token_suffix` concatenation), `deep` (MaPLe) or
## the layers' own `VPT_shallow` (PromptSRC) replace them again in layers 1 .. prompt_depth-1.
## Returns the final states (after `final_layer_norm`) and the one at the end-of-text token.
tower PromptedCLIPTextTransformer(vocab: Int = 49_408, context: Int = 77, width: Int = 512, depth: Int = 12,
                                  heads: Int = 8, hidden: Int = 4 * width, eps: Float = 1e-5,
                                  n_ctx: Int = 2, prompt_depth: Int = 9, own_prompts: Bool = false)
  where width % heads == 0 {
  embeddings = CLIPTextEmbeddings(vocab, context, width)
  encoder = PromptedEncoder(width, depth, heads, hidden: hidden, eps: eps, n_ctx: n_ctx,
                            prompt_depth: prompt_depth, own_prompts: own_prompts, text: true)
  final_layer_norm = LayerNorm(width, eps: eps)
  forward(input_ids: [B, context] int64, ctx: [n_ctx, width] = none, deep: [D, n_ctx, width] = none,
          prompted: Bool = true)
    -> (last_hidden_state: [B, context, width], pooler_output: [B, width]) {
    let tokens = embeddings.token_embedding(input_ids)
    if prompted && ctx != none {
      tokens = concat([tokens[:, 0:1], expand(unsqueeze(ctx, 0), [B, n_ctx, width]), tokens[:, 1 + n_ctx:]], axis: 1)
    }
    let x = tokens + embeddings.position_embedding(arange(context))
    x = final_layer_norm(encoder(x, deep: deep, prompted: prompted, causal: true))
    last_hidden_state = x
    let at_eot = unsqueeze(one_hot(argmax(input_ids, axis: -1), context), 1)   # [B, 1, context]
    pooler_output = squeeze(at_eot @ x, 1)
  }
}
