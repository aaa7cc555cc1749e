// Grammar-aware program generation for the fuzzer. A program is a mostly well-formed one
// (imports, enums, blocks whose forward keeps a [B, T, width] shape, a model with inputs,
// outputs, losses, tasks, stages and a variant), so that many of them check and reach
// `mm params`, `mm summary` and `mm compile`; then a few "hostile" features are mixed in:
// huge repeats and dims, long `.T` chains, sums and unary chains, deep nesting, long
// strings, floods of errors, BOMs, NULs and odd unicode. Names come from small pools so
// that references usually resolve.
import type { Program } from "./program.js";
import type { Rng } from "./rng.js";

/** Std files the programs import, with the blocks they use from each. */
const SELECTIVE: Record<string, string> = {
  "std/nn/layers.mm": "Linear, LayerNorm, Dropout", "std/nn/mlp.mm": "MLP", "std/nn/transformer.mm": "Encoder", "std/nn/attention.mm": "Attention",
};
const STD = Object.keys(SELECTIVE);
const HUGE = ["1_000_000_000", "1000000000", "4294967296", "9007199254740993", "18014398509481984", "18446744073709551616", "1e9", "99999999999999999999999999"];
const UNARY = ["gelu", "relu", "tanh", "sigmoid", "silu", "exp", "abs", "identity", "quick_gelu", "layer_norm", "normalize", "log_softmax"];

interface BlockInfo {
  readonly name: string;
  readonly extras: readonly string[]; // parameters besides width
}

/** One generated program; `r` decides everything. */
export function grammarProgram(r: Rng): Program {
  return new Gen(r).program();
}

class Gen {
  private readonly tags: string[] = [];
  private readonly blocks: BlockInfo[] = [];
  private readonly extraFiles: Record<string, string> = {};
  private enumDeclared = false;
  constructor(private readonly r: Rng) {}

  program(): Program {
    const r = this.r;
    const parts: string[] = [];
    if (r.chance(0.2)) {
      this.extraFiles["lib.mm"] = `${r.chance(0.1) ? 'import "./main.mm"\n' : ""}block Lib(width: Int) {\n  forward(x: [..., width]) -> [..., width] { return x }\n}\n`;
      parts.push(r.chance(0.5) ? `import "./lib.mm"` : `import { Lib } from "./lib.mm"`);
      this.blocks.push({ name: "Lib", extras: [] });
    }
    if (r.chance(0.05)) parts.push(`import "${r.pick(["std/missing.mm", "../outside.mm", "./lib.mm", "std/", "./main.mm", "lib.mm"])}"`);
    if (r.chance(0.3)) {
      parts.push(`enum Mode { ${r.times(r.range(1, 4), (i) => `m${i}`).join(", ")} }`);
      this.enumDeclared = true;
    }
    const nBlocks = r.range(0, 4);
    for (let i = 0; i < nBlocks; i++) parts.push(this.block(i));
    const model = `M${r.int(3)}`;
    const { text, stmts, items } = this.modelParts(model);
    const hostile = r.chance(0.5) ? r.range(1, r.chance(0.2) ? 4 : 1) : 0;
    const decls: string[] = [];
    if (r.chance(0.15)) this.experts(stmts, items, decls);
    if (r.chance(0.15)) this.named(stmts, items, decls);
    for (let i = 0; i < hostile; i++) this.hostile(stmts, items, decls);
    parts.push(...decls);
    parts.push(text(stmts, items));
    let variant: string | undefined;
    if (r.chance(0.5)) {
      variant = `${model}_V`;
      const overrides = r.chance(0.8) ? r.pick(["head = Linear(width, 5)", "head.out_features = 7", "", "head.bias = false"])
        : r.pick(["enc.width = 32", "width = 48", "missing.x = 1", `enc.width = ${r.pick(HUGE)}`, "head = Nope()"]);
      parts.push(`model ${variant} = ${model}(${r.chance(0.5) ? "width: 32" : ""}) with {\n  ${overrides}\n}`);
    }
    // Imports last, once the blocks used are known; the header goes first.
    const body = parts.join("\n\n");
    const imports = STD.filter((p) => (this.uses(body, p) ? r.chance(0.97) : r.chance(0.15)));
    const header = imports.map((p) => (r.chance(0.15) ? `import { ${SELECTIVE[p]} } from "${p}"` : `import "${p}"`));
    const main = this.textual([...header, body].join("\n\n") + "\n");
    const chosen = variant && r.chance(0.5) ? variant : model;
    return { files: { "main.mm": main, ...this.extraFiles }, model: chosen, tags: this.tags };
  }

  /** Whether `text` calls a block of the std file `path` (as SELECTIVE names them). */
  private uses(text: string, path: string): boolean {
    return SELECTIVE[path]!.split(", ").some((name) => new RegExp(`\\b${name}\\(`).test(text));
  }

  // ---- blocks ---------------------------------------------------------------------------

  private block(i: number): string {
    const r = this.r;
    const name = `Blk${i}`;
    const extras = ["heads", "depth", "flag", ...(this.enumDeclared ? ["mode"] : [])].filter(() => r.chance(0.5));
    const kind = r.pick(["block", "block", "block", "tower", "fusion", "head"]);
    const params = ["width: Int", ...extras.map((e) => (e === "flag" ? "flag: Bool = true" : e === "mode" ? "mode: Mode = Mode.m0" : `${e}: Int = ${e === "heads" ? 4 : 2}`))];
    const where = extras.includes("heads") && r.chance(0.5) ? " where width % heads == 0" : r.chance(0.1) ? ` where ${this.intExpr(2, extras)} > 0` : "";
    const items: string[] = [];
    const mods: string[] = [];
    const declared = new Set<string>();
    for (let k = r.range(0, 4); k > 0; k--) {
      const it = this.blockItem(i, extras);
      const name = /^(?:let |param |buffer )?(\w+)/.exec(it.text)![1]!;
      if (declared.has(name) && r.chance(0.95)) continue;
      declared.add(name);
      items.push(it.text);
      if (it.module) mods.push(it.module);
    }
    const tensors = ["x"];
    const body = this.stmts(2, extras, mods, tensors, r.range(0, 4));
    body.push(`return ${this.tensor(3, extras, mods, tensors)}`);
    this.blocks.push({ name, extras });
    const dims = r.chance(0.93) ? "[B, T, width]" : r.pick(["[..., width]", "[B, width]", "[B, T, width + 1]", "[B, T, 0]", "[]", "[B, T, width] int64"]);
    return `## Generated block ${i}.\n${kind} ${name}(${params.join(", ")})${where} {\n${items.map((s) => "  " + s).join("\n")}\n` +
      `  forward(x: ${dims}${extras.includes("flag") && r.chance(0.3) ? ", causal: Bool = false" : ""}) -> ${dims} {\n${body.map((s) => "    " + s).join("\n")}\n  }\n}`;
  }

  private blockItem(i: number, extras: readonly string[]): { text: string; module?: string } {
    const r = this.r;
    const prev = this.blocks.filter((b) => b.name !== "Lib" || r.chance(0.5));
    switch (r.int(9)) {
      case 0: return { text: `let half = ${this.intExpr(2, extras)}` };
      case 1: return { text: `param w: [width, width] init ${r.pick(["normal(std: 0.02)", "zeros", "kaiming_uniform", "trunc_normal(0.02)", "uniform(-1.0, 1.0)", "const(2.0)"])}` };
      case 2: return { text: `param bias: [width] init zeros${extras.includes("flag") ? " if flag" : ""}` };
      case 3: return { text: `buffer stat: [width] init ${r.pick(["zeros", "ones", "arange()", "sinusoid()"])}` };
      case 4: return { text: `fc = Linear(width, width${r.chance(0.2) ? ", bias: false" : ""})`, module: "fc" };
      case 5: return { text: `norm = LayerNorm(width)${extras.includes("flag") && r.chance(0.5) ? " if flag" : ""}`, module: "norm" };
      case 6: {
        const target = prev.length && r.chance(0.95) ? r.pick(prev) : { name: r.chance(0.9) ? "Linear" : r.pick([`Blk${i}`, `Blk${i + 1}`]), extras: [] };
        const n = extras.includes("depth") ? "depth" : String(r.chance(0.03) ? 0 : r.range(1, 3));
        const as = r.chance(0.4);
        return { text: `layers = repeat ${n}${as ? " as i" : ""} ${this.call(target, extras, as)}`, module: "layers" };
      }
      case 7: {
        const target = prev.length && r.chance(0.97) ? r.pick(prev) : { name: r.chance(0.9) ? "Linear" : `Blk${i}`, extras: [] };
        return { text: `sub = ${this.call(target, extras, false)}`, module: "sub" };
      }
      default: return { text: `seq = sequential(Linear(width, width), LayerNorm(width)${r.chance(0.3) ? ", Dropout(0.1)" : ""})`, module: "seq" };
    }
  }

  /** A call of a known block, passing width and some of its extras by name. */
  private call(b: BlockInfo, have: readonly string[], index: boolean): string {
    const r = this.r;
    if (b.name === "Linear") return "Linear(width, width)";
    const args = [r.chance(0.97) ? "width" : this.intExpr(2, have)];
    for (const e of b.extras) {
      if (!r.chance(0.5)) continue;
      if (e === "flag") args.push(`flag: ${index ? "i > 0" : (r.chance(0.03) ? "1" : r.pick(["true", "false", have.includes("flag") ? "flag" : "true"]))}`);
      else if (e === "mode") args.push(`mode: ${have.includes(e) && r.chance(0.5) ? "mode" : r.chance(0.95) ? "Mode.m0" : r.pick(["Mode.m9", '"m0"', "m0"])}`);
      else args.push(`${e}: ${have.includes(e) ? e : r.pick(["1", "2", "4"])}`);
    }
    return `${b.name}(${args.join(", ")})`;
  }

  // ---- statements and expressions -------------------------------------------------------

  private stmts(depth: number, extras: readonly string[], mods: readonly string[], tensors: string[], n: number): string[] {
    const r = this.r;
    const out: string[] = [];
    for (let k = 0; k < n; k++) {
      const kind = r.int(depth > 0 ? 6 : 3);
      if (kind <= 1) {
        const name = `h${tensors.length}`;
        out.push(`let ${name} = ${this.tensor(3, extras, mods, tensors)}`);
        tensors.push(name);
      } else if (kind === 2) out.push(`${r.pick(tensors)} = ${this.tensor(3, extras, mods, tensors)}`);
      else if (kind === 3) {
        const cond = extras.includes("flag") ? r.pick(["flag", "!flag"]) : extras.includes("mode") ? r.pick(["mode == Mode.m0", "mode != Mode.m0 && width > 2"])
          : r.pick(["width > 8", "true", "T == T", "x == none"]);
        const a = this.stmts(depth - 1, extras, mods, [...tensors], r.range(1, 2)).join("; ");
        const b = this.stmts(depth - 1, extras, mods, [...tensors], r.range(0, 2)).join("; ");
        out.push(`if ${cond} { ${a} }${b ? ` else { ${b} }` : ""}`);
      } else if (kind === 4 && mods.includes("layers")) out.push(`for l${r.chance(0.3) ? ", i" : ""} in layers { x = l(x) }`);
      else out.push(`for i in range(${r.range(0, 3)}) { x = x + ${this.tensor(2, extras, mods, tensors)} }`);
    }
    return out;
  }

  /** A tensor expression of shape [B, T, width] (mostly). */
  private tensor(depth: number, extras: readonly string[], mods: readonly string[], tensors: readonly string[]): string {
    const r = this.r;
    const sub = (): string => this.tensor(depth - 1, extras, mods, tensors);
    if (depth <= 0 || r.chance(0.25)) return r.pick(tensors);
    switch (r.int(16)) {
      case 0: return `${r.pick(UNARY)}(${sub()})`;
      case 1: return `softmax(${sub()}, axis: ${r.chance(0.95) ? r.pick(["-1", "1", "2", "-3"]) : "3"})`;
      case 2: return `${sub()} ${r.pick(["+", "-", "*"])} ${sub()}`;
      case 3: return `${sub()} ${r.pick(["*", "/", "+"])} ${r.pick(["2.0", "0.5", "1", "1e-6"])}`;
      case 4: return mods.length ? `${r.pick(mods)}(${sub()})` : sub();
      case 5: return `softmax(${sub()} @ ${sub()}.T) @ ${sub()}`;
      case 6: return `${sub()}.T.T`;
      case 7: return `transpose(${sub()}.T, ${r.chance(0.95) ? r.pick(["-2, -1", "1, 2"]) : "0, 3"})`;
      case 8: return `reshape(reshape(${sub()}, [B, -1]), [B, T, ${r.chance(0.9) ? "width" : "-1"}])`;
      case 9: return `concat([${sub()}, ${sub()}], axis: -1)[..., :width]`;
      case 10: return `${r.pick(["sum", "mean", "max"])}(${sub()}, [-1], keepdim: true) * ${sub()}`;
      case 11: return extras.includes("flag") ? `(if flag then ${sub()} else ${sub()})` : `-${sub()}`;
      case 12: return `dropout(${sub()}, ${r.chance(0.95) ? r.pick(["0.1", "0.0"]) : "1.5"})`;
      case 13: return extras.includes("heads") ? `attention(${sub()}, ${sub()}, ${sub()}, heads: heads)` : `gelu(${sub()})`;
      case 14: return `${sub()}[:, ${r.pick(["0:", ":", "1:", "-1:"])}]`;
      default: return `(${sub()})`;
    }
  }

  private intExpr(depth: number, names: readonly string[]): string {
    const r = this.r;
    const ints = ["width", ...names.filter((n) => n !== "flag" && n !== "mode")];
    if (depth <= 0 || r.chance(0.3)) {
      if (r.chance(0.03)) return r.pick(["0.5", "true", "none", '"s"', "[2]", "-1", "inf", "B"]); // a value of another type
      return r.chance(0.6) ? r.pick(ints) : r.chance(0.05) ? r.pick(HUGE) : String(r.pick([0, 1, 2, 3, 4, 8, 64, 768]));
    }
    const a = this.intExpr(depth - 1, names), b = this.intExpr(depth - 1, names);
    return r.pick([`${a} + ${b}`, `${a} * ${b}`, `${a} // ${b}`, `${a} / ${b}`, `${a} % ${b}`, `(${a})`, `${a} ** 2`, `min(${a}, ${b})`, `max(${a}, ${b})`]);
  }

  // ---- the model ------------------------------------------------------------------------

  private modelParts(name: string): { text: (stmts: string[], items: string[]) => string; stmts: string[]; items: string[] } {
    const r = this.r;
    const enc = this.blocks.length && r.chance(0.9) ? r.pick(this.blocks) : { name: r.pick(["Linear", "MLP", "Encoder", "LayerNorm", "Attention", r.chance(0.1) ? "Nope" : "Linear"]), extras: [] };
    const encArgs = enc.name === "Linear" ? "width, width" : enc.name === "Encoder" ? "width, depth, 4" : enc.name === "MLP" ? "width, 2 * width" : enc.name === "Attention" ? "width, 4" : this.call(enc, ["depth", "flag"], false).replace(/^\w+\(|\)$/g, "");
    const items = [`enc = ${enc.name}(${encArgs})`, "head = Linear(width, 10)"];
    if (r.chance(0.3)) items.push("param scale: [] init const(2.6592)");
    if (r.chance(0.2)) items.push("teacher = ema(enc, momentum: 0.995)");
    const stmts = ["let h = enc(x)"];
    const out = r.chance(0.95) ? r.pick(["output y = h", "output y: [B, T, width] = h"]) : r.pick(["output y: [B, T, width] = h", "output y = h + 1", "output y = none"]);
    const labels = r.chance(0.5);
    const loss = labels ? "loss l = cross_entropy(lg, labels)" : r.pick(["loss l = mean(h)", "loss l = mse(h, x)", r.chance(0.1) ? "loss l = h" : "loss l = sum(lg)"]);
    const text = (s: string[], extra: string[]): string => {
      const all = [...items, ...extra];
      return `model ${name}(width: Int = ${r.pick(["64", "16", "8", "768"])}, depth: Int = 2, flag: Bool = true) {\n` +
        all.map((i) => "  " + i).join("\n") + "\n" +
        `  input x: [B, T, width]\n${labels ? "  input labels: [B] int64\n" : ""}` +
        `  forward {\n${[...s, out, "let lg = head(h[:, 0])", "output logits = lg", loss].map((l) => "    " + l).join("\n")}\n  }\n` +
        `  task infer { outputs: y${r.chance(0.05) ? ", nothing" : ""} }\n  task train { losses: l }\n` +
        (r.chance(0.6) ? `  stage s1 { train: ${(r.chance(0.9) ? r.pick(["enc", "enc, head", "**.bias"]) : r.pick(["nothing.*", "enc.layers.*"]))}; freeze: head; tasks: train }\n` : "") + "}";
    };
    return { text, stmts, items: [] };
  }

  /** An experts block routed by modality or by a top-k gate. */
  private experts(stmts: string[], items: string[], decls: string[]): void {
    const r = this.r;
    const topk = r.chance(0.5);
    this.tags.push(topk ? "experts-topk" : "experts");
    decls.push(`experts Ex(width: Int) {\n  a = Linear(width, width)\n  b = MLP(width, 2 * width)\n${topk ? "  router = Linear(width, 2)\n  route topk(1, gate: router)" : "  route by modality"}\n}`);
    items.push("ex = Ex(width)");
    stmts.push(topk ? "h = ex(h)" : r.pick(['h = ex(h, modality: "a")', 'h = ex(h, modality: ["a", "b"], split: [1, T - 1])', 'h = ex(h, modality: "c")']));
  }

  /** A block with named outputs, destructured or read as members. */
  private named(stmts: string[], items: string[], decls: string[]): void {
    const r = this.r;
    this.tags.push("named");
    decls.push("block Two(width: Int) {\n  forward(x: [B, T, width]) -> (tokens: [B, T, width], cls: [B, width]) {\n    tokens = gelu(x)\n    cls = tokens[:, 0]\n  }\n}");
    items.push("two = Two(width)");
    stmts.push(r.pick(["h = two(h).tokens", "let (tk, cl) = two(h); h = tk + unsqueeze(cl, 1)", "h = two(h)"]));
  }

  // ---- hostile features -----------------------------------------------------------------

  private size(): number {
    return this.r.pick([3, 30, 300, 1000, 3000, 10_000, 30_000, 100_000]);
  }

  /** Adds one hostile feature: forward statements, model items or declarations. */
  private hostile(stmts: string[], items: string[], decls: string[]): void {
    const r = this.r;
    const n = this.size();
    const kinds = ["repeat", "dim", "T", "sum", "minus", "parens", "nesting", "ifs", "string", "errors", "decls", "ident", "numbers", "range", "list", "recursion", "calls"];
    const kind = r.pick(kinds);
    this.tags.push(`${kind}:${n}`);
    switch (kind) {
      case "repeat":
        if (r.chance(0.5)) items.push(`big = repeat ${r.pick(HUGE)} Linear(width, width)`);
        else {
          decls.push(`block Wide(width: Int) {\n  l = repeat ${n} Linear(width, width)\n  forward(x: [B, T, width]) -> [B, T, width] { return l(x) }\n}`);
          items.push(`big = repeat ${n} Wide(width)`);
        }
        if (r.chance(0.5)) stmts.push("h = big(h)");
        return;
      case "dim": {
        const d = r.pick(HUGE);
        items.push(r.pick([`param huge: [${d}, width] init zeros`, `param huge: [${d}, ${d}]`, `buffer huge: [width, ${d}] init arange()`]));
        if (r.chance(0.5)) stmts.push(r.pick([`let hd = zeros([B, ${d}])`, `let hd = reshape(h, [${d}, -1])`, `let hd = h[:, :${d}]`, `let hd = arange(${d})`]));
        return;
      }
      case "T": stmts.push(`let ht = h${".T".repeat(n)}`); return;
      case "sum": stmts.push(r.chance(0.7) ? `let hs = ${Array(n).fill("h").join(" + ")}` : `let s = ${Array(n).fill("1").join(" * ")}`); return;
      case "minus": stmts.push(r.chance(0.7) ? `let hm = ${r.pick(["-", "- ", "!"]).repeat(n)}h` : `let bm = ${"!".repeat(n)}true`); return;
      case "parens": stmts.push(r.pick([`let hp = ${"(".repeat(n)}h${")".repeat(n)}`, `let hp = ${"gelu(".repeat(n)}h${")".repeat(n)}`, `let lp = ${"[".repeat(n)}1${"]".repeat(n)}`, `let hp = h${"[:, :]".repeat(n)}`])); return;
      case "nesting": {
        const depth = Math.min(n, 5000);
        for (let i = 0; i < depth; i++) {
          const inner = i + 1 < depth ? `  c = Nest${i + 1}(width)\n  forward(x: [B, T, width]) -> [B, T, width] { return c(x) }` : "  forward(x: [B, T, width]) -> [B, T, width] { return x }";
          decls.push(`block Nest${i}(width: Int) {\n${inner}\n}`);
        }
        items.push("nest = Nest0(width)");
        stmts.push("h = nest(h)");
        return;
      }
      case "ifs": stmts.push(`${"if true { ".repeat(n)}h = h${" }".repeat(n)}`); return;
      case "string": {
        const s = r.pick(["a", "\\\"", "\\n", "é", "\\u0000", "\\"]).repeat(n);
        if (r.chance(0.5)) decls.push(`import "${s}"`);
        else stmts.push(`let hs = gelu(h, approximate: "${s}${r.chance(0.2) ? "" : '"'})`);
        return;
      }
      case "errors": for (let i = 0; i < Math.min(n, 20_000); i++) decls.push(r.pick(["let = ;", "block {", "model", ")", "]] ))", "x: [B,", "forward { return }", "@@@", "enum {}", "import"])); return;
      case "decls": for (let i = 0; i < Math.min(n, 5000); i++) decls.push(`block D${i}(width: Int) { forward(x: [B, width]) -> [B, width] { return x } }`); return;
      case "ident": { const id = "a".repeat(n); stmts.push(`let ${id} = h`, `h = ${id}`); return; }
      case "numbers": stmts.push(`let hn = h * ${r.pick(["1e400", "1e-400", "0.0 / 0.0", "-0.0", "inf - inf", "2 ** 1000", "1 // 0", "1 % 0", "(-8) ** 0.5", "2 ** -1", "99999999999999999999999", "1_2_3", "0x10", "1.e5"])}`); return;
      case "range": stmts.push(`for i in range(${r.pick(["1_000_000_000", String(n), "-1", "2 ** 60"])}) { h = h + h }`); return;
      case "list": stmts.push(`let hl = concat([${Array(Math.min(n, 30_000)).fill("h").join(", ")}], axis: 1)`); return;
      case "recursion":
        decls.push(r.pick([
          "block R(width: Int) {\n  r = R(width)\n  forward(x: [B, T, width]) -> [B, T, width] { return r(x) }\n}",
          "block R(width: Int) {\n  forward(x: [B, T, width]) -> [B, T, width] { return R(width)(x) }\n}",
          "block R(width: Int) {\n  r = Q(width)\n  forward(x: [B, T, width]) -> [B, T, width] { return r(x) }\n}\nblock Q(width: Int) { r = R(width) }",
          "model VA = VB with {}\nmodel VB = VA with {}",
          "block R(width: Int, n: Int = 0) {\n  r = R(width, n + 1) if n < 100000\n  forward(x: [B, T, width]) -> [B, T, width] { return x }\n}",
        ]));
        items.push("rec = R(width)");
        return;
      default: stmts.push(`let hc = ${Array(Math.min(n, 30_000)).fill("h").join(".T.T + ")}`); return;
    }
  }

  /** Whole-text damage: BOMs, NULs, odd unicode, line endings. */
  private textual(text: string): string {
    const r = this.r;
    if (!r.chance(0.15)) return text;
    const kind = r.pick(["bom", "nul", "unicode", "crlf", "cr", "tabs"]);
    this.tags.push(kind);
    const at = (s: string): string => {
      const i = r.int(text.length + 1);
      return text.slice(0, i) + s + text.slice(i);
    };
    switch (kind) {
      case "bom": return r.chance(0.7) ? "\uFEFF" + text : at("\uFEFF");
      case "nul": return r.chance(0.5) ? at("\0") : text.replace(/ /g, () => (r.chance(0.05) ? "\0" : " "));
      case "unicode": return at(r.pick(["\u202E", "\u200B", "\u2028", "\u2029", "\uD800", "\uDC00", "𝕩", "é", "e\u0301", "\u00A0", "\u3000", "🙂", "\uFFFF", "\u0085"]));
      case "crlf": return text.replace(/\n/g, "\r\n");
      case "cr": return text.replace(/\n/g, "\r");
      default: return text.replace(/ {2}/g, () => r.pick(["\t", "\f", "\v", "  "]));
    }
  }
}
