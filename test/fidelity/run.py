"""Runs the fidelity references (test/fidelity/fidelity.ts writes the bundles; one process per shard).

usage: run.py BUNDLE_DIR family:Model ...

For each case: reads BUNDLE_DIR/Model.safetensors (param/, input/, output/ tensors), builds
refs/<family>.py's reference with build(model, control=False), loads the params strictly
(load_state_dict(strict=True): every key on both sides, equal shapes), runs it in eval mode
on the inputs, and compares every mm output with the reference's to 1e-4 of the output's
scale (max |reference|, at least 1e-2). Then the same with build(model, control=True), a
reference with one small deliberate change, which must fail. A case `Model@train` runs mm's
training-mode graph against the reference in train(), and also compares each buffer's new
value (mm's `<path>.updated` outputs). One JSON line per case:
{"model", "ok", "detail" (empty when ok), "control" ("failed: ..." when the control failed
as it must)}.

A reference whose module uses the official names where mm's differ reads them through the
model's own layout: `LAYOUT = "name"` in the reference makes fidelity.ts write the
bundle's params in that layout of the model (VLMo, SlowFast, MaPLe, MiniGPT-5), and the
strict load checks the result. The stdlib README's fidelity table marks these cases.
"""
import importlib
import json
import os
import struct
import sys
import traceback

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
DTYPES = {"F32": np.float32, "I64": np.int64, "BOOL": np.bool_}
TOL = 1e-4


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    base = 8 + n
    out = {"__metadata__": header.get("__metadata__", {})}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        arr = np.frombuffer(raw[base + a:base + b], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out


# The references import each other by name (`import blip2`, `from _clip_towers import ...`):
# refs/ comes first on the path, so each file is loaded once for all the cases that use it.
sys.path.insert(0, os.path.join(HERE, "refs"))


def load_family(family):
    return importlib.import_module(family)


def compare(want, got):
    """Problems, one string each: outputs missing, misshapen or off by more than TOL."""
    bad = []
    for name, w in sorted(want.items()):
        if name not in got:
            bad.append(f"{name}: the reference does not compute it (it gives {sorted(got)})")
            continue
        g = got[name].detach().to(w.dtype if w.dtype != torch.bool else torch.bool)
        if tuple(g.shape) != tuple(w.shape):
            bad.append(f"{name}: shape {tuple(g.shape)} in the reference, {tuple(w.shape)} in mm")
            continue
        if w.dtype in (torch.int64, torch.bool):
            if not torch.equal(g, w):
                bad.append(f"{name}: {int((g != w).sum())} of {w.numel()} entries differ")
            continue
        w64, g64 = w.double(), g.double()
        scale = max(float(w64.abs().max()) if w64.numel() else 0.0, 1e-2)
        diff = float((w64 - g64).abs().max()) if w64.numel() else 0.0
        if not diff <= TOL * scale:
            bad.append(f"{name}: max|d| {diff:.3e} against scale {scale:.3e}")
    return bad


def write_safetensors(path, tensors):
    """A small safetensors writer (Debian has no safetensors package): float32, int64, bool."""
    names = {torch.float32: "F32", torch.int64: "I64", torch.bool: "BOOL", torch.float16: "F16", torch.bfloat16: "BF16"}
    header, blobs, at = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous()
        data = t.view(torch.int16).numpy().tobytes() if t.dtype == torch.bfloat16 else t.numpy().tobytes()
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [at, at + len(data)]}
        blobs.append(data)
        at += len(data)
    raw = json.dumps(header).encode()
    raw += b" " * ((8 - (8 + len(raw)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)) + raw + b"".join(blobs))


def roundtrip(mod, model, inputs, out):
    """The reference with weights of its own (drawn here, not mm's: matrices ~ N(0, 1/fan_in),
    vectors around 1 for norm weights and 0 otherwise, scalars (temperatures) their own init
    nudged by 5%, so no two tensors of a
    kind are equal; buffers such as a causal mask keep their values): its state_dict() saved
    with torch.save (zip) and as safetensors, its outputs on the bundle's inputs beside
    them, for mm to load and match (fidelity.ts). Drawn rather than the reference's own
    init, which may be torch.empty garbage."""
    torch.manual_seed(1)
    module, forward = mod.build(model.split("@")[0], False)
    g = torch.Generator().manual_seed(2)
    with torch.no_grad():
        for name, t in module.named_parameters():
            if not t.is_floating_point():
                continue
            if t.dim() >= 2:
                fan_in = t[0].numel()
                t.copy_(torch.randn(t.shape, generator=g) / fan_in ** 0.5)
            elif t.dim() == 0 and bool(torch.isfinite(t)):  # a temperature or logit scale: its own value, nudged
                t.mul_(1 + 0.05 * torch.randn((), generator=g))
            else:
                base = 1.0 if name.endswith("weight") or name.endswith("gamma") or name.endswith("scale") else 0.0
                t.copy_(base + 0.1 * torch.randn(t.shape, generator=g))
    module.eval()
    sd = module.state_dict()
    torch.save(sd, out + ".pt")
    write_safetensors(out + ".ref.safetensors", dict(sd))
    with torch.no_grad():
        got = forward(module, {k: v.clone() for k, v in inputs.items()})
    write_safetensors(out + ".rt.safetensors", {k: v for k, v in got.items() if isinstance(v, torch.Tensor)})


def run_case(family, model, bundle):
    mod = load_family(family)
    t = read_safetensors(bundle)
    train = t.pop("__metadata__").get("mode") == "train"
    params = {k[6:]: v for k, v in t.items() if k.startswith("param/")}
    inputs = {k[6:]: v for k, v in t.items() if k.startswith("input/")}
    want = {k[7:]: v for k, v in t.items() if k.startswith("output/")}
    result = {"model": model, "ok": False, "detail": "", "control": ""}

    def attempt(control):
        torch.manual_seed(0)
        module, forward = mod.build(model.split("@")[0], control)
        if os.environ.get("MM_FIDELITY_TRAIN") == "1":
            # A developer's aid while a family's buffers are missing in mm: batch statistics,
            # loading what matches. Never set by the test suite.
            module.load_state_dict(params, strict=False)
            module.train()
        else:
            module.load_state_dict(params, strict=True)
            module.train(train)
        with torch.no_grad():
            got = forward(module, {k: v.clone() for k, v in inputs.items()})
        if train:  # the buffers' new values, as mm's `<path>.updated` outputs
            got.update({f"{k}.updated": v for k, v in module.named_buffers()})
        return compare(want, got)

    try:
        bad = attempt(False)
        result["ok"] = not bad
        result["detail"] = "; ".join(bad)
    except Exception as e:  # a reference that cannot load the weights is a failure to report
        result["detail"] = f"{type(e).__name__}: {e}".strip()[:4000]
    # The other direction: the reference's own checkpoint into mm (eval-mode cases).
    if not train:
        try:
            roundtrip(mod, model, inputs, bundle[: -len(".safetensors")])
        except Exception as e:
            result["roundtrip"] = f"{type(e).__name__}: {e}"[:2000]
    try:
        bad = attempt(True)
        result["control"] = f"failed: {bad[0]}" if bad else "passed (the comparison cannot see the change)"
    except Exception as e:
        result["control"] = f"error: {type(e).__name__}: {e}"[:2000]
    return result


def main():
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    bundle_dir, cases = sys.argv[1], sys.argv[2:]
    for case in cases:
        family, model = case.split(":", 1)
        try:
            r = run_case(family, model, os.path.join(bundle_dir, f"{model}.safetensors"))
        except Exception:
            r = {"model": model, "ok": False, "detail": traceback.format_exc()[-4000:], "control": ""}
        print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
