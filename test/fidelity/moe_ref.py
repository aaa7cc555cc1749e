"""A Mixtral sparse-MoE block in PyTorch, against mm's `route topk` (test/fidelity/moe.test.ts).

usage: moe_ref.py MODEL.onnx CASE.json

Written from Hugging Face transformers' modeling_mixtral.py (MixtralSparseMoeBlock,
MixtralBlockSparseTop2MLP, load_balancing_loss_func), sparse as there: each expert runs only
on the tokens routed to it (index_add_), where mm's lowering is dense. The weights come from
the ONNX file's initializers, renamed to Mixtral's state-dict names (gate, experts.N.w1/w2/w3)
and loaded with load_state_dict(strict=True). CASE.json holds the inputs and onnxruntime's
outputs; prints one JSON line: {"ok", "detail", "control"} where control is the same
comparison against the block with top_k = 1, which must fail.
"""
import json
import sys

import numpy as np
import onnx
from onnx import numpy_helper
import torch
import torch.nn.functional as F
from torch import nn


class MixtralBlockSparseTop2MLP(nn.Module):
    def __init__(self, width, hidden):
        super().__init__()
        self.w1 = nn.Linear(width, hidden, bias=False)
        self.w2 = nn.Linear(hidden, width, bias=False)
        self.w3 = nn.Linear(width, hidden, bias=False)

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class MixtralSparseMoeBlock(nn.Module):
    def __init__(self, width, hidden, num_experts, top_k):
        super().__init__()
        self.num_experts = num_experts
        self.top_k = top_k
        self.gate = nn.Linear(width, num_experts, bias=False)
        self.experts = nn.ModuleList([MixtralBlockSparseTop2MLP(width, hidden) for _ in range(num_experts)])

    def forward(self, hidden_states):
        batch, seq, width = hidden_states.shape
        hidden_states = hidden_states.view(-1, width)
        router_logits = self.gate(hidden_states)
        routing_weights = F.softmax(router_logits, dim=1, dtype=torch.float)
        routing_weights, selected_experts = torch.topk(routing_weights, self.top_k, dim=-1)
        routing_weights /= routing_weights.sum(dim=-1, keepdim=True)
        final = torch.zeros((batch * seq, width), dtype=hidden_states.dtype)
        expert_mask = F.one_hot(selected_experts, num_classes=self.num_experts).permute(2, 1, 0)
        for e in range(self.num_experts):
            idx, top_x = torch.where(expert_mask[e])
            if top_x.numel() == 0:
                continue
            current = hidden_states[top_x]
            out = self.experts[e](current) * routing_weights[top_x, idx, None]
            final.index_add_(0, top_x, out)
        return final.reshape(batch, seq, width), router_logits, selected_experts


def load_balancing_loss(gate_logits, num_experts, top_k):
    """Switch/Mixtral auxiliary loss for one layer's logits [tokens, experts]."""
    routing_weights = F.softmax(gate_logits, dim=-1)
    _, selected_experts = torch.topk(routing_weights, top_k, dim=-1)
    expert_mask = F.one_hot(selected_experts, num_experts)
    tokens_per_expert = torch.mean(expert_mask.float(), dim=0)
    router_prob_per_expert = torch.mean(routing_weights, dim=0)
    return torch.sum(tokens_per_expert * router_prob_per_expert.unsqueeze(0)) * num_experts


def state_dict_from_onnx(path):
    """mm's parameter paths (moe.gate.weight, moe.experts.N.gate_proj.weight, ...) renamed."""
    rename = {"gate_proj": "w1", "down_proj": "w2", "up_proj": "w3"}
    out = {}
    for t in onnx.load(path).graph.initializer:
        parts = t.name.split(".")
        if parts[0] != "moe":
            continue
        parts = [rename.get(p, p) for p in parts[1:]]
        out[".".join(parts)] = torch.from_numpy(numpy_helper.to_array(t).copy())
    return out


def compare(case, block):
    """Empty when mm's outputs match the block's to 1e-4 of each output's scale."""
    x = torch.tensor(case["inputs"]["x"]["data"], dtype=torch.float32).reshape(case["inputs"]["x"]["dims"])
    with torch.no_grad():
        y, logits, chosen = block(x)
        balance = load_balancing_loss(logits, block.num_experts, block.top_k)
    want = case["outputs"]
    problems = []

    def close(name, got, ref):
        got = np.asarray(got, dtype=np.float64).reshape(-1)
        ref = ref.detach().double().numpy().reshape(-1)
        scale = max(1e-2, float(np.abs(ref).max()))
        err = float(np.abs(got - ref).max()) if got.size == ref.size else float("inf")
        if not err <= 1e-4 * scale:
            problems.append(f"{name}: max |mm - ref| = {err:.3g} (scale {scale:.3g})")

    close("y", want["y"], y)
    close("router_logits", want["router_logits"], logits)
    close("loss_balance", want["loss_balance"], balance)
    got_sets = [sorted(r[: block.top_k]) for r in np.asarray(want["expert_indices"]).reshape(-1, case["k"]).tolist()]
    ref_sets = [sorted(r) for r in chosen.tolist()]
    if got_sets != ref_sets:
        problems.append("expert_indices: the chosen experts differ")
    return "; ".join(problems)


def main():
    onnx_path, case_path = sys.argv[1], sys.argv[2]
    case = json.load(open(case_path))
    sd = state_dict_from_onnx(onnx_path)
    block = MixtralSparseMoeBlock(case["width"], case["hidden"], case["experts"], case["k"])
    block.load_state_dict(sd, strict=True)
    detail = compare(case, block)
    control = MixtralSparseMoeBlock(case["width"], case["hidden"], case["experts"], 1)
    control.load_state_dict(sd, strict=True)
    control_detail = compare(case, control)
    print(json.dumps({"ok": detail == "", "detail": detail, "control": f"failed: {control_detail}" if control_detail else "passed"}))


if __name__ == "__main__":
    main()
