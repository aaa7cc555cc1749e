// The files of `mm run`: `--inputs FILE` read and checked against the model before anything
// is compiled (run-inputs.ts), and `--save OUT` writing the outputs atomically (.npz or JSON,
// tools/tensor-file.ts), both checked for usage first.
import { existsSync } from "node:fs";
import { extname } from "node:path";
import { writeFileAtomic } from "../base/atomic.js";
import { diag } from "../diagnostics/diagnostic.js";
import type { IrModel } from "../ir/model.js";
import type { RandomInput } from "../tools/inputs.js";
import { encodeTensorFile, readTensorFile, TENSOR_FILE_EXTS, TensorFileError, type FileArray } from "../tools/tensor-file.js";
import type { OutputTensor } from "../../runtime/runtime.js";
import { resolveBind } from "./bind.js";
import { checkOutputFile, type CommandContext } from "./command.js";
import { UsageError } from "./io.js";
import { report } from "./report.js";
import { convertInputs, matchInputs, modelInputs } from "./run-inputs.js";
import { isFsError } from "./write.js";

export interface RunFiles {
  /** --inputs FILE (undefined: random inputs). */
  readonly inputs?: string;
  readonly randomMissing: boolean;
  readonly save?: string;
}

/** The flags, checked before the model is loaded. */
export function runFiles(ctx: CommandContext): RunFiles {
  const inputs = typeof ctx.flags.inputs === "string" && ctx.flags.inputs !== "random" ? ctx.flags.inputs : undefined;
  const save = typeof ctx.flags.save === "string" ? ctx.flags.save : undefined;
  const exts = TENSOR_FILE_EXTS.join(", ");
  if (inputs !== undefined) {
    if (!(TENSOR_FILE_EXTS as readonly string[]).includes(extname(inputs).toLowerCase())) throw new UsageError(`run: --inputs takes random or a ${exts} file, not '${inputs}'`);
    if (!existsSync(inputs)) throw new UsageError(`run: --inputs: cannot read '${inputs}': no such file`);
  }
  if (ctx.flags["random-missing"] && inputs === undefined) throw new UsageError("run: --random-missing goes with --inputs FILE");
  if (save !== undefined) {
    if (![".npz", ".json"].includes(extname(save).toLowerCase())) throw new UsageError(`run: --save writes an .npz or a .json file, not '${save}'`);
    checkOutputFile("run", save);
  }
  return { ...(inputs !== undefined ? { inputs } : {}), randomMissing: ctx.flags["random-missing"] === true, ...(save !== undefined ? { save } : {}) };
}

export interface FileInputs {
  readonly bind: Map<string, number>;
  readonly defaulted: string[];
  /** Dims the arrays gave: symbol → `from x`. */
  readonly from: Map<string, string>;
  readonly values: ReadonlyMap<string, RandomInput>;
}

/** Reads and checks --inputs against the model with --bind's values; undefined after
 *  printing the file's diagnostics (exit 1). */
export function loadInputs(ctx: CommandContext, file: string, m: IrModel, model: string, given: ReadonlyMap<string, number>, randomMissing: boolean): FileInputs | undefined {
  let arrays: Map<string, FileArray>;
  try {
    arrays = readTensorFile(file);
  } catch (e) {
    if (e instanceof TensorFileError) {
      report(ctx, [diag("MM8001", { file: e.file, start: e.offset, end: e.offset }, { message: e.message })], new Map(), false);
      return undefined;
    }
    if (isFsError(e)) throw new UsageError(`run: --inputs: cannot read '${file}': ${e.message}`);
    throw e;
  }
  const inputs = modelInputs(m.graph);
  const { diagnostics, matched } = matchInputs(file, arrays, inputs, model, new Set(given.keys()), randomMissing);
  if (report(ctx, diagnostics, new Map(), false)) return undefined;
  const taken = [...matched.inferred].filter(([s]) => m.dims.includes(s));
  const { bind, defaulted } = resolveBind(new Map([...given, ...taken.map(([s, v]) => [s, v.value] as const)]), m.dims, "run", true);
  const from = new Map(taken.map(([s, v]) => [s, `from ${v.input}`]));
  const why = (s: string): string => (given.has(s) ? "--bind" : from.get(s) ?? "its default");
  const r = convertInputs(file, matched, inputs, model, bind, why);
  if (report(ctx, r.diagnostics, new Map(), false)) return undefined;
  return { bind, defaulted, from, values: r.values };
}

/** Writes the outputs to --save OUT (atomically); returns the line to print. */
export function saveOutputs(out: string, outputs: readonly OutputTensor[]): string {
  const bytes = encodeTensorFile(out, outputs.map((o) => ({ name: o.name, dtype: o.dtype, shape: o.shape, values: o.data })));
  try {
    writeFileAtomic(out, bytes);
  } catch (e) {
    if (isFsError(e)) throw new UsageError(`run: cannot write '${out}': ${e.message}`);
    throw e;
  }
  return `wrote ${out}: ${outputs.length} output(s)\n`;
}
