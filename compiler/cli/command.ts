// What a CLI command is, and the little every command shares.
import { existsSync, statSync } from "node:fs";
import type { ParseArgsConfig } from "node:util";
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

export interface Command {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  readonly options: NonNullable<ParseArgsConfig["options"]>;
  readonly optionDocs: Readonly<Record<string, string>>;
  /** Commands that touch a GPU or onnxruntime, or load a large module, are asynchronous
   *  (always, or for some flags): run them with runCliAsync. */
  readonly async?: boolean | ((flags: CommandContext["flags"]) => boolean);
  run(ctx: CommandContext): number | Promise<number>;
}

export const json = { type: "boolean" } as const;
export const model = { type: "string" } as const;

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
