// What a CLI command is, and the little every command shares.
import { existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Session } from "../driver/session.js";
import { listMmFiles } from "../resolve/host.js";
import { UsageError, type Io } from "./io.js";

export interface CommandContext {
  readonly positionals: readonly string[];
  /** Flag values; a string[] for options declared `multiple` (such as --bind). */
  readonly flags: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly io: Io;
  readonly session: Session;
}

/** One option of a command, in one place: how it parses, its help line, and the values it
 *  takes. The dispatcher checks `choices` and `int` before the command runs, with one
 *  wording for every command (`--level takes model, block or op, not 'x'`). */
export interface OptionSpec {
  readonly type: "string" | "boolean";
  readonly short?: string;
  /** A string option that may repeat (its value is a string[]). */
  readonly multiple?: boolean;
  readonly doc: string;
  /** The only values a string option takes. */
  readonly choices?: readonly string[];
  /** A string option that is an integer in [min, max]. */
  readonly int?: readonly [min: number, max: number];
}

export interface Command {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Commands that touch a GPU or onnxruntime, or load a large module, are asynchronous
   *  (always, or for some flags): run them with runCliAsync. */
  readonly async?: boolean | ((flags: CommandContext["flags"]) => boolean);
  run(ctx: CommandContext): number | Promise<number>;
}

/** The options most commands share. */
export const json = (doc = "as JSON"): OptionSpec => ({ type: "boolean", doc });
export const model: OptionSpec = { type: "string", doc: "the model, when FILE declares several" };
export const depth = (dflt: number): OptionSpec => ({ type: "string", doc: `component levels to show (default ${dflt})`, int: [1, 1000] });

/** Checks that `out` can be written as a file (its folder exists, it is no folder). */
export function checkOutputFile(command: string, out: string): void {
  const dir = dirname(resolve(out));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${command}: cannot write '${out}': no folder '${dirname(out)}'`);
  if (existsSync(out) && statSync(out).isDirectory()) throw new UsageError(`${command}: cannot write '${out}': it is a folder`);
}

/** Files and folders on the command line as .mm files (folders: every .mm file below). */
export function expandFiles(args: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    if (!existsSync(a)) throw new UsageError(`cannot read '${a}'`);
    if (statSync(a).isDirectory()) out.push(...listMmFiles(a));
    else out.push(a);
  }
  return out;
}
