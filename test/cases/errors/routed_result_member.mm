# A top-k routed call's result carries its router's tensors as members; a misspelt one is
# an unknown name with the closest member suggested.
# expect: MM2001 at 19:20
import "std/nn/layers.mm"
import "std/nn/mlp.mm"

experts SparseMoE(width: Int, hidden: Int, n: Int = 4, k: Int = 2) {
  gate = Linear(width, n, bias: false)
  experts = repeat n SwiGLU(width, hidden)
  route topk(k, gate: gate)
}

model M {
  moe = SparseMoE(16, 32)
  input x: [B, T, 16]
  forward {
    let y = moe(x)
    output y = y
    output probs = y.router_prob
  }
}
