// The compiler API (`import { createCompiler } from "mm-lang"`): everything the CLI does, as
// functions that take and return plain data. A compiler holds one session, so the stdlib is
// parsed once and every call after the first is fast; `files` are in-memory sources that
// shadow the disk (an editor's unsaved buffers, a playground), resolved against `root`.
//
//   const mm = createCompiler({ files: { "net.mm": "model Net { ... }" } });
//   mm.check(["net.mm"]).diagnostics      // [{ code, severity, message, file, line, ... }]
//   mm.params("net.mm#Net").total         // parameter count
//   mm.compileOnnx("net.mm", { weights: { random: 0 } }).bytes
//
// A model is named as on the command line: a stdlib name, `FILE.mm#NAME`, or `FILE.mm` with one
// model. Errors in the model's program throw an MmError carrying the diagnostics; a spec that
// names nothing throws one with an empty list and the reason as its message. docs/api.md.
import { DEFAULT_LIMITS, type Limits } from "../base/limits.js";
import { resolve } from "node:path";
import type { CheckedModel } from "../check/check-model.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { diagnosticData, type DiagnosticData } from "../diagnostics/data.js";
import { compileToOnnx, compileToWebGpu } from "../driver/compile.js";
import { Session } from "../driver/session.js";
import { findTarget, TargetError } from "../driver/target.js";
import type { WeightsMode } from "../ir/weights.js";
import { isUnpublished } from "../elaborate/model.js";
import { diffModels, type ModelDiff } from "../tools/diff/diff.js";
import { formatText } from "../tools/fmt/index.js";
import { countParams, type ParamReport } from "../tools/params.js";
import { shapeTree, type ShapeNode } from "../tools/shapes.js";
import { summarize, type Summary, type SummaryOptions } from "../tools/summary/summary.js";
import type { Plan } from "../../runtime/plan.js";
import { overlayHost } from "./host.js";

export type { ModelDiff, ParamReport, Plan, ShapeNode, Summary };

/** A diagnostic as data: 1-based lines and columns, the end exclusive. */
export type ApiDiagnostic = DiagnosticData;

/** Errors in the program a call reads, or a spec that names no model (no diagnostics). */
export class MmError extends Error {
  constructor(message: string, readonly diagnostics: readonly ApiDiagnostic[]) {
    super(message);
    this.name = "MmError";
  }
}

export interface CompilerOptions {
  /** In-memory files by path (relative paths resolve against `root`); they shadow the disk. */
  readonly files?: Readonly<Record<string, string>>;
  /** Where relative paths resolve (default: the working directory). */
  readonly root?: string;
  /** Budgets to raise or lower (docs/language.md, "Limits"): as `--limit NAME=N`. */
  readonly limits?: Partial<Limits>;
}

export interface ModelEntry {
  readonly name: string;
  readonly file: string;
  readonly stdlib: boolean;
  /** A variant's base model. */
  readonly base?: string;
  /** The first line of its doc comment. */
  readonly doc?: string;
  /** Named in the literature without a published architecture: listed, never compiled. */
  readonly unpublished?: boolean;
}

/** Weights for a compiled model: structure only, zeros, or mm's seeded initialization. */
export type ApiWeights = "none" | "zeros" | { readonly random: number };

export interface MmCompiler {
  /** `mm check`: every model of the files and every block that stands alone. */
  check(files: readonly string[]): { readonly diagnostics: readonly ApiDiagnostic[]; readonly errors: number; readonly warnings: number; readonly models: number };
  /** The models of the files (first) and of the stdlib. */
  models(files?: readonly string[]): ModelEntry[];
  /** `mm params`: counts by component to `depth` levels, trainable and frozen per stage. */
  params(model: string, options?: { readonly depth?: number }): ParamReport;
  /** `mm shapes`: every named tensor with its inferred shape, as a tree. */
  shapes(model: string): ShapeNode;
  /** `mm summary`: per component output shapes, params, MACs, FLOPs and memory at `bind`. */
  summary(model: string, options?: { readonly bind?: Readonly<Record<string, number>>; readonly depth?: number } & SummaryOptions): Summary;
  /** `mm diff`: the semantic diff of two models. */
  diff(a: string, b: string): ModelDiff;
  /** An ONNX model's bytes (`weights` default "none": parameters are graph inputs). */
  compileOnnx(model: string, options?: { readonly weights?: ApiWeights; readonly opset?: number; readonly task?: string }): { readonly bytes: Uint8Array; readonly nodes: number };
  /** A WebGPU plan and its weights.bin, specialised to `bind` (default weights: random, seed 0). */
  compilePlan(model: string, options: { readonly bind: Readonly<Record<string, number>>; readonly weights?: Exclude<ApiWeights, "none">; readonly task?: string }): { readonly plan: Plan; readonly weights: Uint8Array };
  /** `mm fmt` of one file's text; syntax errors throw an MmError. */
  format(text: string, path?: string): string;
}

export function createCompiler(options: CompilerOptions = {}): MmCompiler {
  const root = resolve(options.root ?? process.cwd());
  const session = new Session(overlayHost(options.files ?? {}, root), undefined, undefined, { ...DEFAULT_LIMITS, ...options.limits });
  const abs = (f: string): string => resolve(root, f);

  const checked = (spec: string, training = false): CheckedModel & { sources: ReadonlyMap<string, string> } => {
    let t: ReturnType<typeof findTarget>;
    try {
      t = findTarget(session, spec.includes(".mm") ? abs(spec) : spec, undefined);
    } catch (e) {
      if (e instanceof TargetError) throw new MmError(e.message, []);
      throw e;
    }
    if (!t.target) throw failure(spec, t.diagnostics, t.sources);
    const r = session.compile(t.target.ref, t.target.program, training ? { training } : {});
    const all = [...t.diagnostics, ...r.diagnostics];
    if (!r.checked || all.some((d) => d.severity === "error")) throw failure(spec, all, r.sources);
    return { ...r.checked, sources: r.sources };
  };

  return {
    check(files) {
      const r = session.checkFiles(files.map(abs));
      const diagnostics = r.diagnostics.map((d) => diagnosticData(d, r.sources));
      const errors = diagnostics.filter((d) => d.severity === "error").length;
      return { diagnostics, errors, warnings: diagnostics.length - errors, models: r.models };
    },
    models(files = []) {
      const entry = (stdlib: boolean) => (m: ReturnType<Session["models"]>[number]): ModelEntry => ({
        name: m.name, file: m.home.path, stdlib,
        ...(m.decl.kind === "Variant" && !isUnpublished(m.decl) ? { base: m.decl.base.name } : {}),
        ...(m.decl.doc ? { doc: m.decl.doc.split("\n")[0]! } : {}),
        ...(isUnpublished(m.decl) ? { unpublished: true } : {}),
      });
      const own = files.length ? session.models(session.load(files.map(abs))).map(entry(false)) : [];
      return [...own, ...session.models(session.stdlib()).map(entry(true))];
    },
    params: (model, o = {}) => countParams(checked(model).model, o.depth ?? 1),
    shapes: (model) => {
      const c = checked(model);
      return shapeTree(c.model, c.graph);
    },
    summary(model, o = {}) {
      const c = checked(model);
      if (!c.graph) throw new MmError(`${model} could not be traced, so there is nothing to count`, []);
      return summarize(c.model, c.graph, new Map(Object.entries(o.bind ?? {})), o.depth ?? 1, { dtype: o.dtype, train: o.train });
    },
    diff(a, b) {
      const [x, y] = [checked(a), checked(b)];
      return diffModels(x.model, x.graph, y.model, y.graph, new Map([...x.sources, ...y.sources]));
    },
    compileOnnx(model, o = {}) {
      const c = checked(model);
      const r = compileToOnnx(c, c.sources, { weights: weightsMode(o.weights ?? "none"), ...(o.opset !== undefined ? { opset: o.opset } : {}), ...(o.task !== undefined ? { task: o.task } : {}) });
      return { bytes: r.bytes, nodes: r.nodeCount };
    },
    compilePlan(model, o) {
      const r = compileToWebGpu(checked(model), { bind: new Map(Object.entries(o.bind)), weights: weightsMode(o.weights ?? { random: 0 }) as Exclude<WeightsMode, "none">, ...(o.task !== undefined ? { task: o.task } : {}) });
      return { plan: r.plan, weights: r.weights };
    },
    format(text, path = "input.mm") {
      const r = formatText(abs(path), text);
      if (!r.ok) throw failure(path, r.diagnostics, new Map([[abs(path), text]]));
      return r.text;
    },
  };
}

function weightsMode(w: ApiWeights): WeightsMode {
  return w === "none" || w === "zeros" ? w : { random: w.random };
}

function failure(spec: string, ds: readonly Diagnostic[], sources: ReadonlyMap<string, string>): MmError {
  const list = ds.map((d) => diagnosticData(d, sources));
  const first = list.find((d) => d.severity === "error");
  return new MmError(first ? `${spec}: ${first.code} ${first.message} (${first.file}:${first.line}:${first.column})` : `${spec} does not compile`, list);
}
