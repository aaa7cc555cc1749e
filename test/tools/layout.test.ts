// Layout rules on their own: wildcards, the first matching rule, packed parts, transposes,
// and export back to the layout's tensors.
import { describe, expect, it } from "vitest";
import { fromLayout, Layout, layoutEntries, toLayout } from "../../compiler/tools/weights/layout.js";

const L = new Layout("openai", [
  { model: "enc.layers.*.attn.{q,k,v}_proj.weight", checkpoint: "blocks.*.in_proj_weight", op: "split" },
  { model: "proj.weight", checkpoint: "proj", op: "transpose" },
  { model: "enc.layers.*.mlp.*", checkpoint: "blocks.*.ffn.*", op: "rename" },
  { model: "enc.**", checkpoint: "encoder.**", op: "rename" },
]);

describe("map", () => {
  it("fills the wildcards in order and names the part of a packed tensor", () => {
    expect(L.map("enc.layers.3.attn.k_proj.weight")).toEqual({
      key: "blocks.3.in_proj_weight", op: "split", part: 1,
      parts: ["enc.layers.3.attn.q_proj.weight", "enc.layers.3.attn.k_proj.weight", "enc.layers.3.attn.v_proj.weight"],
    });
    expect(L.map("enc.layers.3.mlp.bias")).toEqual({ key: "blocks.3.ffn.bias", op: "rename", part: 0, parts: ["enc.layers.3.mlp.bias"] });
    expect(L.map("enc.norm.final.weight").key).toBe("encoder.norm.final.weight"); // `**`: several segments
    expect(L.map("head.bias").key).toBe("head.bias"); // no rule: its own name
    // `*` inside a segment: PySlowFast's `pathway0_res2` for mm's `pathway0_res.2`.
    const sf = new Layout("pyslowfast", [{ model: "**.pathway*_res.*.**", checkpoint: "**.pathway*_res*.**", op: "rename" }]);
    expect(sf.map("s2.pathway1_res.2.branch2.a.weight").key).toBe("s2.pathway1_res2.branch2.a.weight");
  });
  it("gives the layout's shapes", () => {
    const four = (): number[] => [4, 2];
    expect(layoutEntries(L.map("enc.layers.0.attn.q_proj.weight"), [4, 2], four)).toEqual([{ key: "blocks.0.in_proj_weight", shape: [12, 2] }]);
    expect(layoutEntries(L.map("proj.weight"), [3, 2], four)).toEqual([{ key: "proj", shape: [2, 3] }]);
  });
});

describe("read and write", () => {
  const f32 = (xs: number[]): Uint8Array => new Uint8Array(new Float32Array(xs).buffer);
  const vals = (b: Uint8Array): number[] => [...new Float32Array(b.slice().buffer)];
  it("reads a part of a packed tensor and a transposed matrix", () => {
    const packed = { dtype: "float32" as const, shape: [6, 1], read: (f: number, n: number) => f32([0, 1, 2, 3, 4, 5].slice(f, f + n)) };
    const two = (): number[] => [2, 1];
    expect(vals(fromLayout(L.map("enc.layers.0.attn.v_proj.weight"), () => packed, [2, 1], two, () => 4)!.read(0, 2))).toEqual([4, 5]);
    const t = { dtype: "float32" as const, shape: [2, 3], read: (f: number, n: number) => f32([1, 2, 3, 4, 5, 6].slice(f, f + n)) };
    expect(vals(fromLayout(L.map("proj.weight"), () => t, [3, 2], () => [3, 2], () => 4)!.read(0, 6))).toEqual([1, 4, 2, 5, 3, 6]);
  });
  it("writes packed parts in the listed order and matrices transposed", () => {
    const tensors = [
      { path: "enc.layers.0.attn.v_proj.weight", dtype: "float32" as const, shape: [1, 2] },
      { path: "enc.layers.0.attn.q_proj.weight", dtype: "float32" as const, shape: [1, 2] },
      { path: "enc.layers.0.attn.k_proj.weight", dtype: "float32" as const, shape: [1, 2] },
      { path: "proj.weight", dtype: "float32" as const, shape: [2, 2] },
    ];
    const data: Record<string, number[]> = {
      "enc.layers.0.attn.q_proj.weight": [1, 2], "enc.layers.0.attn.k_proj.weight": [3, 4], "enc.layers.0.attn.v_proj.weight": [5, 6], "proj.weight": [1, 2, 3, 4],
    };
    const out = toLayout(L, tensors, () => 4, (p) => [f32(data[p]!)]);
    const got = Object.fromEntries(out.map((t) => [t.name, [t.shape, [...t.chunks()].flatMap(vals)]]));
    expect(got).toEqual({ "blocks.0.in_proj_weight": [[3, 2], [1, 2, 3, 4, 5, 6]], proj: [[2, 2], [1, 3, 2, 4]] });
  });
});

describe("uneven parts and stacks", () => {
  const f32 = (xs: number[]): Uint8Array => new Uint8Array(new Float32Array(xs).buffer);
  const vals = (b: Uint8Array): number[] => [...new Float32Array(b.slice().buffer)];
  // MiniGPT-5: a vocabulary table [3, 1] and the 2 rows the model added, one table [5, 1] in the checkpoint.
  const V = new Layout("official", [
    { model: "{table.weight,added_rows}", checkpoint: "table.weight", op: "split" },
    { model: "prompts", checkpoint: "prompts.*", op: "stack" },
  ]);
  const shapes: Record<string, number[]> = { "table.weight": [3, 1], added_rows: [2, 1], prompts: [2, 3] };
  const shapeOf = (p: string): number[] => shapes[p]!;
  it("reads each part at its offset and each row of a stack", () => {
    const table = { dtype: "float32" as const, shape: [5, 1], read: (f: number, n: number) => f32([1, 2, 3, 4, 5].slice(f, f + n)) };
    expect(vals(fromLayout(V.map("added_rows"), () => table, [2, 1], shapeOf, () => 4)!.read(0, 2))).toEqual([4, 5]);
    const rows: Record<string, number[]> = { "prompts.0": [1, 2, 3], "prompts.1": [4, 5, 6] };
    const get = (k: string) => (rows[k] ? { dtype: "float32" as const, shape: [3], read: (f: number, n: number) => f32(rows[k]!.slice(f, f + n)) } : undefined);
    expect(vals(fromLayout(V.map("prompts"), get, [2, 3], shapeOf, () => 4)!.read(1, 4))).toEqual([2, 3, 4, 5]);
    expect(layoutEntries(V.map("prompts"), [2, 3], shapeOf)).toEqual([{ key: "prompts.0", shape: [3] }, { key: "prompts.1", shape: [3] }]);
  });
  it("writes them back", () => {
    const tensors = Object.entries(shapes).map(([path, shape]) => ({ path, dtype: "float32" as const, shape }));
    const data: Record<string, number[]> = { "table.weight": [1, 2, 3], added_rows: [4, 5], prompts: [1, 2, 3, 4, 5, 6] };
    const out = toLayout(V, tensors, () => 4, (p) => [f32(data[p]!)]);
    expect(Object.fromEntries(out.map((t) => [t.name, [t.shape, [...t.chunks()].flatMap(vals)]]))).toEqual({
      "table.weight": [[5, 1], [1, 2, 3, 4, 5]], "prompts.0": [[3], [1, 2, 3]], "prompts.1": [[3], [4, 5, 6]],
    });
  });
});
