# CLIP's text tower (Radford et al., 2021) in Hugging Face's `CLIPTextModel` layout:
# text_model.embeddings.{token_embedding, position_embedding}, text_model.encoder.layers.N
# (self_attn.{q,k,v,out}_proj, layer_norm1, mlp.fc1, mlp.fc2, layer_norm2), final_layer_norm.
# A causal pre-LN transformer (quick_gelu, eps 1e-5) over BPE tokens (vocab 49,408, context 77).

import "std/nn/layers.mm"
import "std/nn/transformer.mm"

## Token embeddings plus learned positions (both nn.Embedding in HF).
block CLIPTextEmbeddings(vocab: Int, context: Int, width: Int) {
  token_embedding = Embedding(vocab, width)
  position_embedding = Embedding(context, width)
  forward(input_ids: [B, context] int64) -> [B, context, width] {
    return token_embedding(input_ids) + position_embedding(arange(context))
  }
}

## The text tower (HF `CLIPTextTransformer`). `pooler_output` is the final state at the
## end-of-text token, which has the largest id in CLIP's vocabulary (HF's legacy
## `eos_token_id == 2` path: argmax over the ids).
tower CLIPTextTransformer(vocab: Int = 49_408, context: Int = 77, width: Int = 512, depth: Int = 12,
                          heads: Int = 8, hidden: Int = 4 * width, eps: Float = 1e-5)
  where width % heads == 0 {
  embeddings = CLIPTextEmbeddings(vocab, context, width)
  encoder = Encoder(width, depth, heads, hidden: hidden, act: Act.quick_gelu, eps: eps)
  final_layer_norm = LayerNorm(width, eps: eps)
  forward(input_ids: [B, context] int64) -> (last_hidden_state: [B, context, width], pooler_output: [B, width]) {
    let x = final_layer_norm(encoder(embeddings(input_ids), causal: true))
    last_hidden_state = x
    let at_eot = unsqueeze(one_hot(argmax(input_ids, axis: -1), context), 1)   # [B, 1, context]
    pooler_output = squeeze(at_eot @ x, 1)
  }
}
