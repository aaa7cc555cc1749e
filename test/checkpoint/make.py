"""Writes the checkpoints test/checkpoint/checkpoint.test.ts reads, from mm's exported state
dict (a safetensors file): torch.save variants of it, a sharded safetensors copy (written by
hand: Debian has no safetensors package), hostile files, and torch's own float32 widening of
the half-precision copies for the test to compare with.

usage: make.py DIR  (DIR/mm.safetensors exists)
"""
import json
import os
import sys

import torch

DIR = sys.argv[1]
# The fidelity runner's safetensors reader and writer (Debian has no safetensors package).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fidelity"))
from run import read_safetensors as read, write_safetensors as write  # noqa: E402


sd = read(os.path.join(DIR, "mm.safetensors"))
sd.pop("__metadata__", None)
half = lambda f: {k: (v.to(f) if v.is_floating_point() else v) for k, v in sd.items()}
torch.save(sd, os.path.join(DIR, "f32.pt"))
torch.save(half(torch.float16), os.path.join(DIR, "f16.pt"))
torch.save({"model": half(torch.bfloat16), "epoch": 3}, os.path.join(DIR, "bf16-nested.pth"))
torch.save({"state_dict": {f"module.{k}": v for k, v in sd.items()}}, os.path.join(DIR, "dataparallel.pt"))
torch.save({"epoch": 196, "model_state": sd, "optimizer_state": {"state": {}}}, os.path.join(DIR, "pyslowfast.pyth"))
# A view: a matrix saved as the transpose of its transpose (strided, not contiguous).
views = dict(sd)
mat = next(k for k, v in sd.items() if v.dim() == 2)
views[mat] = sd[mat].t().contiguous().t()
torch.save(views, os.path.join(DIR, "views.pt"))
write(os.path.join(DIR, "f16.widened.safetensors"), {k: (v.to(torch.float16).float() if v.is_floating_point() else v) for k, v in sd.items()})
write(os.path.join(DIR, "bf16.widened.safetensors"), {k: (v.to(torch.bfloat16).float() if v.is_floating_point() else v) for k, v in sd.items()})
write(os.path.join(DIR, "bf16.safetensors"), half(torch.bfloat16))
# Sharded: two files and an index, as Hugging Face writes them.
keys = list(sd)
shards = {"model-00001-of-00002.safetensors": keys[: len(keys) // 2], "model-00002-of-00002.safetensors": keys[len(keys) // 2:]}
os.makedirs(os.path.join(DIR, "sharded"))
for name, ks in shards.items():
    write(os.path.join(DIR, "sharded", name), {k: sd[k] for k in ks})
with open(os.path.join(DIR, "sharded", "model.safetensors.index.json"), "w") as f:
    json.dump({"metadata": {}, "weight_map": {k: n for n, ks in shards.items() for k in ks}}, f)
os.makedirs(os.path.join(DIR, "torchsharded"))
for i, (name, ks) in enumerate(shards.items()):
    torch.save({k: sd[k] for k in ks}, os.path.join(DIR, "torchsharded", f"pytorch_model-0000{i + 1}-of-00002.bin"))
with open(os.path.join(DIR, "torchsharded", "pytorch_model.bin.index.json"), "w") as f:
    json.dump({"metadata": {}, "weight_map": {k: f"pytorch_model-0000{i + 1}-of-00002.bin" for i, ks in enumerate(shards.values()) for k in ks}}, f)

# OpenAI's layout of the same CLIP (clip/model.py): written here from OpenAI's names, not
# from mm's layout rules, so the test can hold the rules to it.
def openai(sd):
    out = {"logit_scale": sd["logit_scale"], "visual.proj": sd["visual_projection.weight"].t().contiguous(),
           "text_projection": sd["text_projection.weight"].t().contiguous()}
    for tower, prefix in (("vision_model", "visual."), ("text_model", "")):
        layers = sorted({int(k.split(".")[3]) for k in sd if k.startswith(f"{tower}.encoder.layers.")})
        for i in layers:
            hf, oa = f"{tower}.encoder.layers.{i}.", f"{prefix}transformer.resblocks.{i}."
            for p in ("weight", "bias"):
                out[oa + f"attn.in_proj_{p}"] = torch.cat([sd[hf + f"self_attn.{x}_proj.{p}"] for x in "qkv"])
                out[oa + f"attn.out_proj.{p}"] = sd[hf + f"self_attn.out_proj.{p}"]
                out[oa + f"ln_1.{p}"] = sd[hf + f"layer_norm1.{p}"]
                out[oa + f"ln_2.{p}"] = sd[hf + f"layer_norm2.{p}"]
                out[oa + f"mlp.c_fc.{p}"] = sd[hf + f"mlp.fc1.{p}"]
                out[oa + f"mlp.c_proj.{p}"] = sd[hf + f"mlp.fc2.{p}"]
    out["visual.class_embedding"] = sd["vision_model.embeddings.class_embedding"]
    out["visual.conv1.weight"] = sd["vision_model.embeddings.patch_embedding.weight"]
    out["visual.positional_embedding"] = sd["vision_model.embeddings.position_embedding.weight"]
    for p in ("weight", "bias"):
        out[f"visual.ln_pre.{p}"] = sd[f"vision_model.pre_layrnorm.{p}"]
        out[f"visual.ln_post.{p}"] = sd[f"vision_model.post_layernorm.{p}"]
        out[f"ln_final.{p}"] = sd[f"text_model.final_layer_norm.{p}"]
    out["token_embedding.weight"] = sd["text_model.embeddings.token_embedding.weight"]
    out["positional_embedding"] = sd["text_model.embeddings.position_embedding.weight"]
    return out


oa = openai(sd)
torch.save(oa, os.path.join(DIR, "openai.pt"))
write(os.path.join(DIR, "openai.safetensors"), oa)


class Evil:
    def __reduce__(self):
        return (os.system, (f"touch {os.path.join(DIR, 'pwned')}",))


torch.save({"weight": Evil()}, os.path.join(DIR, "evil.pt"))
torch.save(sd, os.path.join(DIR, "legacy.pt"), _use_new_zipfile_serialization=False)
torch.jit.save(torch.jit.script(torch.nn.Linear(2, 2)), os.path.join(DIR, "torchscript.pt"))
print(json.dumps({"matrix": mat}))
