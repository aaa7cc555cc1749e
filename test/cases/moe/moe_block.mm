# One top-2-of-8 routed feed-forward from examples/moe.mm with Mixtral's balancing loss, for
# test/fidelity/moe.test.ts to compare against a PyTorch MixtralSparseMoeBlock.
import "../../../examples/moe.mm"

model MoEBlock(width: Int = 16, hidden: Int = 24) {
  moe = SparseMoE(width, hidden)
  input x: [B, T, width]
  forward {
    let y = moe(x)
    output y = y
    output router_logits = y.router_logits
    output expert_indices = y.expert_indices
    loss balance = 8.0 * sum(mean(y.expert_mask, axes: [0, 1]) * mean(y.router_probs, axes: [0, 1]))
  }
}
