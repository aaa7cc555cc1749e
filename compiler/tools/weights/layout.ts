// Layouts: how a model's state-dict paths map to another checkpoint layout, rule by rule
// (the first rule whose model pattern matches wins; a path no rule matches keeps its name).
// In a pattern `**` stands for one or more path segments and `*` for one segment or part of
// one (`res*` in `pathway0_res*`), captured in order and filled into the checkpoint pattern;
// `{q,k,v}` in a model pattern lists the parts of a packed tensor (split). Operations:
//   rename     the checkpoint tensor is the model's, under another name
//   transpose  a matrix stored transposed (OpenAI's `x @ proj` against nn.Linear's weight)
//   split      one checkpoint tensor holds several model tensors along axis 0, in the order of
//              the `{...}` parts, each with its own first dim (PyTorch's in_proj_weight = q, k,
//              v; a vocabulary table and the rows a model added to it)
//   stack      the model tensor [K, ...] is K checkpoint tensors [...], numbered by the
//              checkpoint pattern's last `*` (an nn.ParameterList)
import type { DType } from "../../base/tensor.js";
import type { SourceTensor } from "../../ir/weights.js";
import { numel } from "../../checkpoint/checkpoint.js";

export interface LayoutRuleSpec {
  readonly model: string;
  readonly checkpoint: string;
  readonly op: "rename" | "split" | "transpose" | "stack";
}

export interface Mapped {
  /** The checkpoint key; for stack, with `#` where the index goes. */
  readonly key: string;
  readonly op: LayoutRuleSpec["op"];
  /** For split: which part, and the model paths of all parts in order. */
  readonly part: number;
  readonly parts: readonly string[];
}

type ShapeOf = (path: string) => readonly number[];

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const TOKENS = /\{([^}]*)\}|\*\*|\*|[^{*]+/g;

interface Compiled {
  readonly re: RegExp;
  /** Capture groups of the wildcards in order; of the `{...}` parts, or -1. */
  readonly wildcards: readonly number[];
  readonly alternation: number;
  readonly alternatives: readonly string[];
  readonly spec: LayoutRuleSpec;
}

/** The wildcards of a pattern in order (`**` and `*`). */
export function wildcards(pattern: string): string[] {
  return [...pattern.matchAll(TOKENS)].map((m) => m[0]).filter((t) => t === "*" || t === "**");
}

function compile(spec: LayoutRuleSpec): Compiled {
  let group = 0;
  const wild: number[] = [];
  let alternation = -1;
  let alternatives: string[] = [];
  const source = [...spec.model.matchAll(TOKENS)].map((m) => {
    if (m[1] !== undefined) {
      alternation = ++group;
      alternatives = m[1].split(",");
      return `(${alternatives.map(escape).join("|")})`;
    }
    if (m[0] === "**" || m[0] === "*") {
      wild.push(++group);
      return m[0] === "**" ? "(.+)" : "([^.]+)";
    }
    return escape(m[0]);
  }).join("");
  return { re: new RegExp(`^${source}$`, "d"), wildcards: wild, alternation, alternatives, spec };
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
      let key = r.spec.checkpoint.replace(/\*\*|\*/g, () => (i < r.wildcards.length ? m[r.wildcards[i++]!]! : "#"));
      if (r.spec.op !== "stack") key = key.replace(/#/g, "*");
      if (r.alternation < 0) return { key, op: r.spec.op, part: 0, parts: [path] };
      const [start, end] = m.indices![r.alternation]!;
      const parts = r.alternatives.map((a) => path.slice(0, start) + a + path.slice(end));
      return { key, op: r.spec.op, part: r.alternatives.indexOf(m[r.alternation]!), parts };
    }
    return { key: path, op: "rename", part: 0, parts: [path] };
  }
}


/** A model tensor's name(s) and shape(s) in the layout: one, or a stack's K. */
export function layoutEntries(m: Mapped, shape: readonly number[], shapeOf: ShapeOf): { key: string; shape: number[] }[] {
  switch (m.op) {
    case "transpose": return [{ key: m.key, shape: [...shape].reverse() }];
    case "split": return [{ key: m.key, shape: [m.parts.reduce((n, p) => n + (shapeOf(p)[0] ?? 0), 0), ...shape.slice(1)] }];
    case "stack": return Array.from({ length: shape[0] ?? 0 }, (_, i) => ({ key: m.key.replace("#", String(i)), shape: shape.slice(1) }));
    default: return [{ key: m.key, shape: [...shape] }];
  }
}

/** A matrix's bytes transposed (read whole: projections are small next to a model). */
function transposed(bytes: Uint8Array, rows: number, cols: number, size: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out.set(bytes.subarray((r * cols + c) * size, (r * cols + c + 1) * size), (c * rows + r) * size);
  }
  return out;
}

/** The model tensor (of `shape`) that a layout's tensors hold; undefined if one is absent. */
export function fromLayout(m: Mapped, get: (key: string) => SourceTensor | undefined, shape: readonly number[], shapeOf: ShapeOf,
  size: (d: DType) => number): SourceTensor | undefined {
  if (m.op === "stack") {
    const rows = layoutEntries(m, shape, shapeOf).map((e) => get(e.key));
    if (rows.some((r) => r === undefined) || rows.length === 0) return undefined;
    const per = numel(shape.slice(1));
    const es = size(rows[0]!.dtype);
    return {
      dtype: rows[0]!.dtype, shape,
      read: (first, count) => {
        const out = new Uint8Array(count * es);
        for (let done = 0; done < count;) {
          const at = first + done, row = Math.floor(at / per), k = Math.min(count - done, per - (at % per));
          out.set(rows[row]!.read(at % per, k), done * es);
          done += k;
        }
        return out;
      },
    };
  }
  const t = get(m.key);
  if (t === undefined || m.op === "rename") return t;
  if (m.op === "split") {
    const offset = m.parts.slice(0, m.part).reduce((n, p) => n + numel(shapeOf(p)), 0);
    return { dtype: t.dtype, shape, read: (first, count) => t.read(offset + first, count) };
  }
  let whole: Uint8Array | undefined;
  return {
    dtype: t.dtype, shape,
    read: (first, count) => {
      whole ??= transposed(t.read(0, numel(t.shape)), t.shape[0]!, t.shape[1]!, size(t.dtype));
      return whole.subarray(first * size(t.dtype), (first + count) * size(t.dtype));
    },
  };
}

type KeyLike = { path: string; dtype: DType; shape: readonly number[] };

/** A model's keys under a layout's names (packed parts once, at their packed shape). */
export function layoutKeys(keys: readonly KeyLike[], layout: Layout | undefined): KeyLike[] {
  if (layout === undefined) return [...keys];
  const shapes = new Map(keys.map((k) => [k.path, k.shape]));
  const out = new Map<string, KeyLike>();
  for (const k of keys) {
    for (const e of layoutEntries(layout.map(k.path), k.shape, (p) => shapes.get(p) ?? [])) {
      if (!out.has(e.key)) out.set(e.key, { path: e.key, dtype: k.dtype, shape: e.shape });
    }
  }
  return [...out.values()];
}

/** The tensor for each model path, read from a layout's tensors (`shapes`: the model's). */
export function layoutSource(tensors: ReadonlyMap<string, SourceTensor>, shapes: ReadonlyMap<string, readonly number[]>, layout: Layout | undefined,
  size: (d: DType) => number): (path: string) => SourceTensor | undefined {
  const shapeOf: ShapeOf = (p) => shapes.get(p) ?? [];
  return (p) => (layout === undefined ? tensors.get(p) : fromLayout(layout.map(p), (k) => tensors.get(k), shapeOf(p), shapeOf, size));
}

/** Model tensors as a layout's tensors: packed parts concatenated in the parts' order,
 *  matrices transposed, stacks split in rows. `chunks(path)` gives a model tensor's bytes. */
export function toLayout(layout: Layout, tensors: readonly KeyLike[], size: (d: DType) => number,
  chunks: (path: string) => Iterable<Uint8Array>): { name: string; dtype: DType; shape: number[]; chunks(): Iterable<Uint8Array> }[] {
  const shapes = new Map(tensors.map((t) => [t.path, t.shape]));
  const whole = (t: KeyLike): Uint8Array => {
    const all = new Uint8Array(numel(t.shape) * size(t.dtype));
    let at = 0;
    for (const c of chunks(t.path)) { all.set(c, at); at += c.length; } // copied: a chunk's buffer is reused
    return all;
  };
  // A stacked tensor is read once for all its rows (rows are written one tensor each).
  const stackedCache = new Map<string, Uint8Array>();
  const stacked = (t: KeyLike): Uint8Array => {
    let b = stackedCache.get(t.path);
    if (b === undefined) stackedCache.set(t.path, (b = whole(t)));
    return b;
  };
  const byKey = new Map<string, { dtype: DType; shape: number[]; parts: { part: number; t: KeyLike; m: Mapped; row: number }[] }>();
  for (const t of tensors) {
    const m = layout.map(t.path);
    layoutEntries(m, t.shape, (p) => shapes.get(p) ?? []).forEach((e, row) => {
      const entry = byKey.get(e.key) ?? { dtype: t.dtype, shape: e.shape, parts: [] };
      entry.parts.push({ part: m.part, t, m, row });
      byKey.set(e.key, entry);
    });
  }
  return [...byKey].map(([name, e]) => ({
    name, dtype: e.dtype, shape: e.shape,
    *chunks() {
      for (const p of [...e.parts].sort((a, b) => a.part - b.part)) {
        if (p.m.op === "transpose") yield transposed(whole(p.t), p.t.shape[0]!, p.t.shape[1]!, size(e.dtype));
        else if (p.m.op === "stack") { const per = numel(p.t.shape.slice(1)) * size(e.dtype); yield stacked(p.t).subarray(p.row * per, (p.row + 1) * per); }
        else yield* chunks(p.t.path);
      }
    },
  }));
}
