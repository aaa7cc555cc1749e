import "std/nn/layers.mm"

## Two dense layers with an activation between them (fc1, fc2 as in Hugging Face's CLIP/ViT).
block MLP(width: Int, hidden: Int, act: Act = Act.gelu, out: Int = width) {
  fc1 = Linear(width, hidden)
  activation = Activation(act)
  fc2 = Linear(hidden, out)
  forward(x: [..., width]) -> [..., out] {
    return fc2(activation(fc1(x)))
  }
}

## The gated feed-forward of LLaMA: down(silu(gate(x)) * up(x)), no biases.
block SwiGLU(width: Int, hidden: Int) {
  gate_proj = Linear(width, hidden, bias: false)
  up_proj = Linear(width, hidden, bias: false)
  down_proj = Linear(hidden, width, bias: false)
  forward(x: [..., width]) -> [..., width] {
    return down_proj(silu(gate_proj(x)) * up_proj(x))
  }
}
