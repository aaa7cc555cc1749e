// Layouts: how a model's state-dict paths map to another checkpoint layout, rule by rule
// (the first rule whose model pattern matches wins; a path no rule matches keeps its name).
// Patterns are dotted paths where `**` (a whole segment) stands for one or more segments and
// `*` for one segment or part of one (`res*` in `pathway0_res*`), captured in order and filled
// into the checkpoint pattern; `{q,k,v}` in a model pattern names the parts of a packed
// tensor (split). Operations:
//   rename     the checkpoint tensor is the model's, under another name
//   transpose  a matrix stored transposed (OpenAI's `x @ proj` against nn.Linear's weight)
//   split      one checkpoint tensor holds several model tensors along axis 0, in the order
//              of the `{...}` alternatives (PyTorch's in_proj_weight = q, k, v)
import type { DType } from "../../base/tensor.js";
import type { SourceTensor } from "../../ir/weights.js";

export interface LayoutRuleSpec {
  readonly model: string;
  readonly checkpoint: string;
  readonly op: "rename" | "split" | "transpose";
}

export interface Mapped {
  readonly key: string;
  readonly op: LayoutRuleSpec["op"];
  /** For split: which part, of how many. */
  readonly part: number;
  readonly parts: number;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

interface Compiled {
  readonly re: RegExp;
  /** Capture groups of the wildcards, in order, and of the alternation (or -1). */
  readonly wildcards: readonly number[];
  readonly alternation: number;
  readonly alternatives: readonly string[];
  readonly spec: LayoutRuleSpec;
}

/** The wildcards of a pattern in order: `**` segments and each `*`. */
export function wildcards(pattern: string): string[] {
  return pattern.split(".").flatMap((s) => (s === "**" ? ["**"] : [...s].filter((c) => c === "*")));
}

function compile(spec: LayoutRuleSpec): Compiled {
  let group = 0;
  const wild: number[] = [];
  let alternation = -1;
  let alternatives: string[] = [];
  const parts = spec.model.split(".").map((seg) => {
    if (seg === "**") { wild.push(++group); return "(.+)"; }
    return seg.replace(/\{([^}]*)\}|\*|([^{*]+)/g, (star: string, alt: string | undefined, lit: string | undefined) => {
      if (alt !== undefined) {
        alternation = ++group;
        alternatives = alt.split(",");
        return `(${alternatives.map(escape).join("|")})`;
      }
      if (lit !== undefined) return escape(lit);
      wild.push(++group);
      return star === "*" ? "([^.]+)" : "";
    });
  });
  return { re: new RegExp(`^${parts.join("\\.")}$`), wildcards: wild, alternation, alternatives, spec };
}

export class Layout {
  private readonly rules: readonly Compiled[];
  constructor(readonly name: string, rules: readonly LayoutRuleSpec[]) {
    this.rules = rules.map(compile);
  }

  /** Where a model path lives in this layout. */
  map(path: string): Mapped {
    for (const r of this.rules) {
      const m = r.re.exec(path);
      if (m === null) continue;
      let i = 0;
      const key = r.spec.checkpoint.split(".").map((s) => (s === "**" ? m[r.wildcards[i++]!]! : s.replace(/\*/g, () => m[r.wildcards[i++]!]!))).join(".");
      const part = r.alternation >= 0 ? r.alternatives.indexOf(m[r.alternation]!) : 0;
      return { key, op: r.spec.op, part, parts: r.alternation >= 0 ? r.alternatives.length : 1 };
    }
    return { key: path, op: "rename", part: 0, parts: 1 };
  }
}

/** The shape a model tensor has in the layout. */
export function layoutShape(m: Mapped, shape: readonly number[]): number[] {
  if (m.op === "transpose") return [...shape].reverse();
  if (m.op === "split") return [shape[0]! * m.parts, ...shape.slice(1)];
  return [...shape];
}

const numel = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** A matrix's bytes transposed (read whole: projections are small next to a model). */
function transposed(bytes: Uint8Array, rows: number, cols: number, size: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out.set(bytes.subarray((r * cols + c) * size, (r * cols + c + 1) * size), (c * rows + r) * size);
  }
  return out;
}

/** The model tensor (of `shape`) that a layout's tensor `t` holds. */
export function fromLayout(m: Mapped, t: SourceTensor, shape: readonly number[], size: number): SourceTensor {
  if (m.op === "rename") return t;
  if (m.op === "split") {
    const offset = m.part * numel(shape);
    return { dtype: t.dtype, shape, read: (first, count) => t.read(offset + first, count) };
  }
  let whole: Uint8Array | undefined;
  return {
    dtype: t.dtype, shape,
    read: (first, count) => {
      whole ??= transposed(t.read(0, numel(t.shape)), t.shape[0]!, t.shape[1]!, size);
      return whole.subarray(first * size, (first + count) * size);
    },
  };
}

/** Model tensors as a layout's tensors: packed parts concatenated in the alternatives' order,
 *  matrices transposed. `chunks(path)` gives a model tensor's bytes. */
export function toLayout(layout: Layout, tensors: readonly { path: string; dtype: DType; shape: readonly number[] }[], size: (d: DType) => number,
  chunks: (path: string) => Iterable<Uint8Array>): { name: string; dtype: DType; shape: number[]; chunks(): Iterable<Uint8Array> }[] {
  const byKey = new Map<string, { dtype: DType; shape: number[]; parts: { part: number; path: string; m: Mapped; shape: readonly number[] }[] }>();
  for (const t of tensors) {
    const m = layout.map(t.path);
    const e = byKey.get(m.key) ?? { dtype: t.dtype, shape: layoutShape(m, t.shape), parts: [] };
    e.parts.push({ part: m.part, path: t.path, m, shape: t.shape });
    byKey.set(m.key, e);
  }
  return [...byKey].map(([name, e]) => ({
    name, dtype: e.dtype, shape: e.shape,
    *chunks() {
      for (const p of [...e.parts].sort((a, b) => a.part - b.part)) {
        if (p.m.op !== "transpose") { yield* chunks(p.path); continue; }
        const all = new Uint8Array(numel(p.shape) * size(e.dtype));
        let at = 0;
        for (const c of chunks(p.path)) { all.set(c, at); at += c.length; } // copied: a chunk's buffer is reused
        yield transposed(all, p.shape[0]!, p.shape[1]!, size(e.dtype));
      }
    },
  }));
}

/** A model's keys under a layout's names (packed parts once, at their packed shape). */
export function layoutKeys<K extends { path: string; dtype: DType; shape: readonly number[] }>(keys: readonly K[], layout: Layout | undefined): { path: string; dtype: DType; shape: readonly number[] }[] {
  if (layout === undefined) return [...keys];
  const out = new Map<string, { path: string; dtype: DType; shape: readonly number[] }>();
  for (const k of keys) {
    const m = layout.map(k.path);
    if (!out.has(m.key)) out.set(m.key, { path: m.key, dtype: k.dtype, shape: layoutShape(m, k.shape) });
  }
  return [...out.values()];
}

/** The tensor for each model path, read from a layout's tensors (`shapes`: the model's). */
export function layoutSource(tensors: ReadonlyMap<string, SourceTensor>, shapes: ReadonlyMap<string, readonly number[]>, layout: Layout | undefined,
  size: (d: DType) => number): (path: string) => SourceTensor | undefined {
  return (p) => {
    if (layout === undefined) return tensors.get(p);
    const m = layout.map(p);
    const t = tensors.get(m.key);
    return t === undefined ? undefined : fromLayout(m, t, shapes.get(p) ?? [], size(t.dtype));
  };
}
