// The one table of diagnostic codes. Codes are stable: never renumber, only add.
// MM1xxx syntax, MM2xxx names and imports, MM3xxx values and elaboration,
// MM4xxx shapes, MM5xxx model structure, MM6xxx checkpoints, MM7xxx budgets (base/limits.ts),
// MM8xxx input files of `mm run`, MM9xxx internal.
// Each code's example is data: compiler/diagnostics/examples/<CODE>/ holds `wrong.mm` and
// `fixed.mm` (whole programs) and, for the import codes, `files/` (other files of the
// project) and `fixed-files/` (those of the fixed program, when they differ). docs/errors.md
// is generated from them, `mm explain` shows them, and a test checks that `wrong` reports
// the code and `fixed` reports no error. They are read only when asked for.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { PACKAGE_ROOT } from "../base/package.js";

export interface CodeEntry {
  readonly severity: "error" | "warning";
  readonly title: string;
  readonly template: string;
  readonly explanation: string;
}

const table = {
  MM1001: { severity: "error", title: "syntax error", template: "{message}",
    explanation: "The parser met a token it did not expect. It recovers at the next item or statement, so later syntax errors are reported in the same run." },
  MM1002: { severity: "error", title: "unterminated string", template: "string literal is not closed before the end of the line",
    explanation: "String literals are written in double quotes on one line." },
  MM1003: { severity: "error", title: "invalid character", template: "invalid character '{char}'",
    explanation: "The lexer met a character that cannot start any token." },
  MM1004: { severity: "error", title: "invalid number", template: "invalid number literal '{text}'",
    explanation: "Numbers are decimal, with optional `_` separators between digits, a fraction and an exponent: `1_000`, `0.02`, `1e-6`." },
  MM1005: { severity: "error", title: "misplaced item", template: "{item} is not allowed in {place}",
    explanation: "Some items belong to one kind of declaration only: `input`, `task` and `stage` to models; `route` to `experts` blocks; `output` and `loss` statements to a model's forward; `return` to a block's forward." },
  MM1006: { severity: "error", title: "nesting too deep", template: "{message}",
    explanation: "Brackets, blocks and `else if` chains may nest 200 levels deep, and an expression's tree 1,000 levels (a chain of 1,000 operators, `x.T.T...` or `a + b + ...`, is that deep). These bounds keep every stage of the compiler within its stack; no model needs more. The declaration is skipped. Split the expression with `let`." },
  MM2001: { severity: "error", title: "unknown name", template: "unknown name '{name}'",
    explanation: "The name is not a parameter, `let`, submodule, local, input, import or declaration in scope. Dims written in uppercase (`B`, `T`) are symbolic runtime dims; lowercase names must be defined." },
  MM2002: { severity: "error", title: "duplicate declaration", template: "'{name}' is declared twice in {place}",
    explanation: "Each name is declared once per scope: parameters, lets, params, submodules and inputs of a block share one namespace; a block's parameters, an enum's members, and a model's tasks, stages and layouts are each declared once too." },
  MM2003: { severity: "error", title: "import not found", template: "cannot find '{path}'",
    explanation: "Imports are relative to the importing file (`./layers.mm`) or to the standard library (`std/nn/linear.mm`)." },
  MM2004: { severity: "error", title: "import cycle", template: "import cycle: {cycle}",
    explanation: "Files may not import each other in a cycle; move the shared declarations into a third file." },
  MM2005: { severity: "error", title: "import escapes the project", template: "import '{path}' {reason}",
    explanation: "Relative imports stay inside the project root (the nearest folder with an `mm.json` or `package.json`, else the importing file's folder), or in the standard library. Where a file really is counts: a symlink inside the project to a file or folder outside it is refused before anything is read. So is an import of a folder, a device or a pipe, which is never opened." },
  MM2006: { severity: "error", title: "name not exported", template: "'{name}' is not declared in '{path}'",
    explanation: "`import { A } from \"f.mm\"` names declarations of that file." },
  MM2007: { severity: "error", title: "unknown model", template: "no model named '{name}'",
    explanation: "The model is neither in the given files nor in the standard library (`mm list` shows what exists)." },
  MM2008: { severity: "error", title: "unknown type", template: "unknown type '{name}'",
    explanation: "Types are Int, Float, Bool, String, Block (or a block kind: Tower, Fusion, Experts, Loss, Head), enums declared with `enum`, lists `[T]`, and tensor shapes `[d0, d1, ...]`." },
  MM3001: { severity: "error", title: "wrong argument type", template: "argument '{name}' expects {expected}, got {actual}",
    explanation: "Compile-time arguments are checked against the declared parameter types." },
  MM3002: { severity: "error", title: "missing argument", template: "missing required argument '{name}' of {callee}",
    explanation: "A parameter without a default must be passed, by position or by name." },
  MM3003: { severity: "error", title: "unknown argument", template: "{callee} has no parameter '{name}'",
    explanation: "Named arguments must name a declared parameter (or a forward input, for a call in a forward)." },
  MM3004: { severity: "error", title: "too many arguments", template: "{callee} takes {max} positional argument(s), {given} given",
    explanation: "More positional arguments were passed than the callee declares." },
  MM3005: { severity: "error", title: "constraint violated", template: "constraint `{constraint}` of {callee} does not hold: {detail}",
    explanation: "A block's `where` constraints are checked for every instance, with the instance's arguments." },
  MM3006: { severity: "error", title: "recursive instantiation", template: "{name} instantiates itself: {chain}",
    explanation: "A block may not contain itself, directly or through other blocks; the model would be infinite." },
  MM3007: { severity: "error", title: "bad repeat count", template: "repeat count must be a positive integer, got {value}",
    explanation: "`repeat n Block(...)` unrolls n indexed copies; n must be an Int of at least 1 (write `Block(...) if cond` to make a part optional)." },
  MM3008: { severity: "error", title: "dimension overflow", template: "{value} exceeds {limit}; dims and sizes must stay exact",
    explanation: "Integer arithmetic is exact up to 2^53; larger dims, counts or products cannot be represented. One tensor may have at most 2^50 elements, so that its size in bytes (up to 8 a value) is exact too, and a model's parameters and buffers at most 2^53 values in all. These are checked where the tensor or model is declared, so what `mm check` accepts `mm params`, `mm summary` and `mm compile` can count and write." },
  MM3009: { severity: "error", title: "inexact division", template: "{left} / {right} is not an integer",
    explanation: "`/` between Ints must divide exactly; write `//` for floor division or fix the values." },
  MM3010: { severity: "error", title: "not callable", template: "'{name}' is {what}, not {expected}",
    explanation: "Only blocks, block-valued parameters, submodules and built-in ops can be called." },
  MM3011: { severity: "error", title: "argument given twice", template: "argument '{name}' is given twice",
    explanation: "Each parameter is passed once, either by position or by name." },
  MM3012: { severity: "error", title: "bad override", template: "cannot override '{path}': {reason}",
    explanation: "A variant's `with { ... }` replaces a submodule (`image = Encoder(...)`) or sets an argument of one (`text.width = 768`, `image.patch = 14`). The path must name a submodule and the argument one of its block's parameters: a misspelt one would otherwise change nothing." },
  MM3013: { severity: "error", title: "unknown initializer", template: "unknown initializer '{name}'",
    explanation: "Initializers: zeros, ones, const(v), normal(mean, std), trunc_normal(std), uniform(low, high), xavier_uniform, xavier_normal, kaiming_uniform, kaiming_normal, geometric(ratio), triu(value, k), arange(start, step), sinusoid(base), relative_index(w1, w2, ...), default (docs/language.md lists what each fills)." },
  MM3014: { severity: "error", title: "unknown dtype", template: "unknown dtype '{name}'",
    explanation: "Dtypes: float32, float16, bfloat16, float64, int64, int32, int8, uint8, bool." },
  MM3015: { severity: "error", title: "not a compile-time value", template: "{what} must be known at compile time, got {actual}",
    explanation: "Shapes, conditions, repeat counts and op attributes are compile-time values: parameters, lets and literals, not tensors." },
  MM3016: { severity: "error", title: "division by zero", template: "division by zero",
    explanation: "An Int expression divides by zero." },
  MM3017: { severity: "error", title: "bad dim", template: "dim {value} is not a positive integer",
    explanation: "Tensor dims are positive integers (or symbolic runtime dims)." },
  MM3018: { severity: "error", title: "wrong value type", template: "{what}: expected {expected}, got {actual}",
    explanation: "An operator or built-in was given a value of the wrong type." },
  MM3019: { severity: "error", title: "instances nest too deep", template: "{name} nests instances more than {limit} levels deep: {chain}",
    explanation: "A block may contain a block that contains a block... 100 levels deep (the stdlib's deepest model has 9). The elaborator and the checker recurse once per level, so this bound keeps them within their stack. It is fixed; flatten the hierarchy, for example with a `repeat` stack." },
  MM4001: { severity: "error", title: "shape mismatch", template: "{what}: expected {expected}, got {actual}",
    explanation: "A tensor's shape does not match the declared shape. Both shapes are shown; the notes say where each dim came from." },
  MM4002: { severity: "error", title: "matmul mismatch", template: "matmul inner dims differ: {left} @ {right} ({a} vs {b})",
    explanation: "`a @ b` needs the last dim of `a` to equal the second-to-last dim of `b`." },
  MM4003: { severity: "error", title: "broadcast mismatch", template: "shapes {left} and {right} do not broadcast (dim {a} vs {b})",
    explanation: "Elementwise ops broadcast like numpy: aligned from the right, each pair of dims equal or one of them 1." },
  MM4004: { severity: "error", title: "concat mismatch", template: "concat along axis {axis}: {detail}",
    explanation: "All tensors concatenated must have the same rank and equal dims except along the concat axis." },
  MM4005: { severity: "error", title: "reshape mismatch", template: "cannot reshape {from} ({n} elements) to {to} ({m} elements)",
    explanation: "A reshape keeps the number of elements; at most one dim may be -1 (inferred)." },
  MM4006: { severity: "error", title: "conv channels mismatch", template: "{op} expects {expected} input channels, got {actual}",
    explanation: "A convolution's weight is [out, in/groups, k...]: the input's channel dim must equal `in`." },
  MM4007: { severity: "error", title: "heads do not divide width", template: "width {width} is not divisible by {heads} heads",
    explanation: "Multi-head attention splits the width evenly over the heads." },
  MM4008: { severity: "error", title: "rank mismatch", template: "{what}: expected rank {expected}, got rank {actual} ({shape})",
    explanation: "The op or signature needs a tensor of a different rank." },
  MM4009: { severity: "error", title: "axis out of range", template: "axis {axis} is out of range for rank {rank}",
    explanation: "Axes count from 0, or from -1 at the end." },
  MM4010: { severity: "error", title: "dtype mismatch", template: "{what}: expected {expected}, got {actual}",
    explanation: "The op needs a tensor of another dtype (for example token ids are int64)." },
  MM4011: { severity: "error", title: "cannot infer dim", template: "cannot infer {what}",
    explanation: "A dim could not be solved from the arguments; pass it explicitly." },
  MM4012: { severity: "error", title: "wrong inputs", template: "{callee}: {detail}",
    explanation: "A call to a submodule must give each required forward input once." },
  MM4013: { severity: "error", title: "index out of range", template: "index {index} is out of range for dim {dim}",
    explanation: "A constant index or slice bound lies outside the dim." },
  MM5001: { severity: "error", title: "output never assigned", template: "output '{name}' is never assigned",
    explanation: "A forward with named outputs must assign each of them (`name = expr`)." },
  MM5002: { severity: "warning", title: "unused input", template: "input '{name}' is never used",
    explanation: "A forward input or model input that no computation reads. Remove it or use it." },
  MM5003: { severity: "error", title: "loss is not a scalar", template: "loss '{name}' has shape {shape}; a loss must be a scalar []",
    explanation: "A `loss` block and a model's `loss` statement must produce a scalar (reduce with mean or sum)." },
  MM5004: { severity: "error", title: "unknown reference", template: "{what} '{name}' does not exist in {model}",
    explanation: "Tasks name outputs, losses and inputs of the model; stages name parameter paths (patterns with `*` and `**`) and tasks." },
  MM5005: { severity: "error", title: "bad experts block", template: "{detail}",
    explanation: "An `experts` block declares its experts as submodules with one common forward signature and a `route` (by modality, or topk with a gate)." },
  MM5006: { severity: "error", title: "no forward", template: "{name} has no forward and cannot be called",
    explanation: "A block that is called in a forward must declare `forward(...)`." },
  MM5007: { severity: "error", title: "missing return", template: "forward of {name} does not return a value",
    explanation: "A forward with an unnamed output type must end with `return expr`." },
  MM5008: { severity: "error", title: "not a model", template: "'{name}' is a {kind}, not a model",
    explanation: "Commands that take --model, and variants, need a `model` declaration." },
  MM5009: { severity: "error", title: "not definable", template: "{name} has no published architecture and cannot be compiled",
    explanation: "`model X = unpublished \"Name\"` records a model the literature names but whose architecture was never published (its doc says what is known); tools list it, nothing compiles it." },
  MM5010: { severity: "error", title: "bad layout rule", template: "{detail}",
    explanation: "A `layout NAME { ... }` item of a model or block maps its state-dict paths (relative to the block) to a checkpoint's, one rule per line: `\"model.path.*\": \"checkpoint.key.*\"` (`*` one path segment, `**` several, the same on both sides), `split(\"key\")` for one checkpoint tensor that packs several of the model's along the first axis (the model path names the parts in order: `{q,k,v}_proj.weight`; parts may differ in size), `stack(\"key.*\")` for a model tensor stored as numbered rows (one `*` more on the checkpoint side, last), or `transpose(\"key\")` for a matrix stored transposed. `--layout NAME` picks the layout for `--weights`, `mm weights check` and `mm weights export`; without it a model's `default layout NAME` applies (one per model, with rules of its own or of its components'), and `--layout mm` names mm's own paths, a name no layout may take. `layout NAME with A, B` also takes in the components' layouts A and B (a model's only)." },
  MM6001: { severity: "error", title: "not a checkpoint", template: "not a checkpoint mm reads: {message}",
    explanation: "`--weights FILE` and `mm weights` read safetensors files (single, or sharded with a `model.safetensors.index.json`) and PyTorch checkpoints in torch.save's zip format (`pytorch_model.bin`, `.pt`, `.pth`), or a folder holding one of them. Anything else, and the legacy pre-1.6 torch format, is refused." },
  MM6002: { severity: "error", title: "corrupt checkpoint", template: "corrupt checkpoint: {message}",
    explanation: "A length, offset or byte range in the checkpoint points outside the file, or a record is damaged: the file is truncated or not what its header says. Nothing is written." },
  MM6003: { severity: "error", title: "unsafe pickle", template: "unsafe pickle: {message}",
    explanation: "A PyTorch checkpoint is a pickle, which can name any Python function. mm reads only what a state dict needs (`collections.OrderedDict`, `torch._utils._rebuild_tensor_v2`, `torch._utils._rebuild_parameter`, the storage types) and refuses any other global before running anything. Re-save the state dict alone: `torch.save(model.state_dict(), path)`." },
  MM6004: { severity: "error", title: "unsupported checkpoint content", template: "unsupported checkpoint content: {message}",
    explanation: "The checkpoint holds a dtype, compression or layout mm cannot load (complex or int16 tensors, a compressed storage, a huge strided view)." },
  MM6005: { severity: "error", title: "checkpoint does not match", template: "the checkpoint does not match {model}: {detail}",
    explanation: "As PyTorch's strict `load_state_dict`, every tensor of the model must be in the checkpoint with the same shape, and the checkpoint must hold nothing else. The report above the error groups the missing and unexpected keys by component and names the nearest key on the other side. `--allow-missing PATTERN` and `--ignore-unexpected PATTERN` (`*` one path segment, `**` any) excuse keys on purpose." },
  MM7001: { severity: "error", title: "too many instances", template: "{what} brings the model to {count} instances, over the limit of {limit}",
    explanation: "Every `repeat` is unrolled into one instance per layer; a model may have 50,000 instances in all (the stdlib's largest has 2,264). A repeat count of 1_000_000_000 is usually a typo for a small number. `mm params` still counts such a model exactly (identical layers are counted without unrolling); checking, compiling and summarising it need the limit raised: `--limit instances=N`." },
  MM7002: { severity: "error", title: "too many operations", template: "tracing {what} takes more than {limit} operations",
    explanation: "A check or compile traces each forward op by op; one model may take 100,000 operations (the stdlib's largest traces 7,600 nodes). The error points at the statement being traced when the budget ran out, usually a loop or a stack far larger than intended. Raise it with `--limit ops=N`." },
  MM7003: { severity: "error", title: "list too long", template: "{what} has {count} items, over the limit of {limit}",
    explanation: "A compile-time list, a `range(n)` and the iterations of one `for` loop hold at most 100,000 items. Raise it with `--limit items=N`." },
  MM7004: { severity: "warning", title: "too many errors", template: "stopped after {limit} errors",
    explanation: "A run reports at most 50 errors (like `tsc`'s and graphql-js's error caps): past that, later errors are mostly consequences of earlier ones, and a machine-generated file with thousands of mistakes would flood the terminal. Fix the first errors, or raise the cap with `--limit errors=N`." },
  MM7005: { severity: "error", title: "too many files", template: "the program loads more than {limit} files",
    explanation: "One program (its files and everything they import, the stdlib included) loads at most 10,000 files. Raise it with `--limit files=N`." },
  MM7006: { severity: "error", title: "file too large", template: "'{path}' has {size} bytes, over the limit of {limit}",
    explanation: "A source file may have at most 8 MiB (the stdlib's largest has 22 KB). Larger files are not read. Raise it with `--limit fileBytes=N`." },
  MM8001: { severity: "error", title: "unreadable inputs file", template: "cannot read inputs from this file: {message}",
    explanation: "`mm run --inputs FILE` reads a NumPy `.npy` file (one array: the model's only input), an `.npz` file (`np.savez` or `np.savez_compressed`: one array per input, by input name) or a JSON object keyed by input name whose values are nested arrays of numbers (`true`/`false` for bool inputs; the strings \"NaN\", \"Infinity\" and \"-Infinity\" for those floats). Arrays must be rectangular, little-endian float16/32/64, int8/32/64, uint8 or bool, not structured; a `.npy` file serves a model with one input only." },
  MM8002: { severity: "error", title: "unknown input", template: "{model} has no input '{name}'",
    explanation: "Every array of an inputs file must name one of the model's inputs (or of the task's, with `--task`); `mm run` lists them in this error. A misspelt name is suggested when one is close." },
  MM8003: { severity: "error", title: "missing input", template: "the inputs file gives no value for {names} of {model}",
    explanation: "Every input of the model (of the task, with `--task`) needs a value. `--random-missing` fills the ones the file lacks with the seeded random values a run without `--inputs` uses (`--seed`)." },
  MM8004: { severity: "error", title: "input shape mismatch", template: "input '{name}' has shape {actual}; {model} expects {expected}",
    explanation: "An input's array must have the shape the model declares, with its symbolic dims bound: by `--bind`, else by the first input in the model's order whose dim is that symbol alone (`B` of `[B, 77]` is taken from the array), else by their defaults (B, N, V = 2, others 3). The hint says where each bound dim came from." },
  MM8005: { severity: "error", title: "input dtype mismatch", template: "input '{name}' is {actual}; {model} expects {expected}",
    explanation: "A float input takes float16, float32 or float64 arrays (JSON numbers), computed in float32; an integer input (token ids, labels) takes int8, int32, int64 or uint8 arrays (JSON integers); a bool input (a mask) takes bool arrays (JSON true/false, or 0 and 1). Convert with `.astype(np.int64)` and the like." },
  MM9001: { severity: "error", title: "internal error", template: "internal compiler error: {message}",
    explanation: "The compiler failed. This is a bug in mm, not in your program: please report it with the input file and the command." },
} as const satisfies Record<string, CodeEntry>;

export type Code = keyof typeof table;

/** The `{hole}` names of a template, as a union of string literal types. */
type Holes<S extends string> = S extends `${string}{${infer K}}${infer Rest}` ? K | Holes<Rest> : never;

/** The arguments a code's template needs: exactly its holes (checked at every call site). */
export type ArgsOf<C extends Code> = { readonly [K in Holes<(typeof table)[C]["template"]>]: string | number };
export const CODES: Readonly<Record<Code, CodeEntry>> = table;
export const ALL_CODES = Object.keys(table).sort() as Code[];

export interface CodeExample {
  /** A program that reports this code. */
  readonly wrong: string;
  /** The same program, fixed: it reports no error. */
  readonly fixed: string;
  /** Other files of the example's project by relative path (imports), next to `wrong` and `fixed`
   *  (which are `main.mm`); `fixedFiles`, when given, replaces them for the fixed program. */
  readonly files?: Readonly<Record<string, string>>;
  readonly fixedFiles?: Readonly<Record<string, string>>;
  /** `--limit` settings both programs are checked with (`limits.txt`, one `NAME=N` a line):
   *  a budget's example meets a small budget rather than a huge program. */
  readonly limits?: readonly string[];
}

/** Where the examples live (a folder per code). */
export const EXAMPLES_DIR = join(PACKAGE_ROOT, "compiler", "diagnostics", "examples");

export function exampleFor(code: Code): CodeExample | undefined {
  const dir = join(EXAMPLES_DIR, code);
  if (!existsSync(join(dir, "wrong.mm"))) return undefined;
  const read = (f: string): string => readFileSync(join(dir, f), "utf8");
  const files = filesUnder(join(dir, "files"));
  const fixedFiles = filesUnder(join(dir, "fixed-files"));
  const limits = existsSync(join(dir, "limits.txt")) ? read("limits.txt").split("\n").filter((l) => l.trim() !== "") : undefined;
  return {
    wrong: read("wrong.mm"), fixed: read("fixed.mm"), ...(files ? { files } : {}), ...(fixedFiles ? { fixedFiles } : {}),
    ...(limits ? { limits } : {}),
  };
}

/** The files below a folder by relative path (with `/`), in name order; undefined without it. */
function filesUnder(root: string): Record<string, string> | undefined {
  if (!existsSync(root)) return undefined;
  const out: Record<string, string> = {};
  const todo = [root];
  while (todo.length) {
    const d = todo.pop()!;
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) todo.push(p);
      else out[relative(root, p).split(sep).join("/")] = readFileSync(p, "utf8");
    }
  }
  return out;
}
