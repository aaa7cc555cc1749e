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


class Evil:
    def __reduce__(self):
        return (os.system, (f"touch {os.path.join(DIR, 'pwned')}",))


torch.save({"weight": Evil()}, os.path.join(DIR, "evil.pt"))
torch.save(sd, os.path.join(DIR, "legacy.pt"), _use_new_zipfile_serialization=False)
print(json.dumps({"matrix": mat}))
