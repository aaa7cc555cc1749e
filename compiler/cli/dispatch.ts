// Command dispatch shared by the full CLI (main.ts) and the `mm check` entry (check-main.ts):
// argument parsing, help, and the rule that user errors never become stack traces.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { Session } from "../driver/session.js";
import type { Command, CommandContext, OptionSpec } from "./command.js";
import { EXIT, processIo, UsageError, UserError, type Io } from "./io.js";
import { VERSION } from "../base/package.js";
import { parseLimits } from "../base/limits.js";

export interface Cli {
  /** Runs a synchronous command (every command but `run`); returns the exit code. */
  runCli(argv: readonly string[], io?: Io, session?: Session): number;
  /** Runs any command, awaiting the asynchronous ones (what bin/mm.js calls). */
  runCliAsync(argv: readonly string[], io?: Io, session?: Session): Promise<number>;
}

/** A CLI over `commands`; `help` is the text of `mm --help`. */
export function makeCli(commands: readonly Command[], help: () => string): Cli {
  function runCli(argv: readonly string[], io: Io = processIo, session: Session = new Session()): number {
    let r: ReturnType<typeof dispatch>;
    try {
      r = dispatch(argv, io, session);
    } catch (e) {
      return failed(e, argv, io);
    }
    if (typeof r === "number") return r;
    // A caller's mistake, not the user's: thrown, not reported.
    const async = typeof r.cmd.async === "function" ? r.cmd.async(r.ctx.flags) : r.cmd.async;
    if (async) throw new Error(`mm ${r.cmd.name} is asynchronous${typeof r.cmd.async === "function" ? " with these flags" : ""}: call runCliAsync, not runCli`);
    try {
      return r.cmd.run(r.ctx) as number;
    } catch (e) {
      return failed(e, argv, io);
    }
  }

  async function runCliAsync(argv: readonly string[], io: Io = processIo, session: Session = new Session()): Promise<number> {
    try {
      const r = dispatch(argv, io, session);
      return typeof r === "number" ? r : await r.cmd.run(r.ctx);
    } catch (e) {
      return failed(e, argv, io);
    }
  }

  /** The command to run, or an exit code when there is nothing more to do (help, version). */
  function dispatch(argv: readonly string[], io: Io, session: Session): number | { cmd: Command; ctx: CommandContext } {
    const [name, ...rest] = argv;
    if (name === undefined || name === "--help" || name === "-h" || name === "help") {
      io.out(help());
      return name === undefined ? EXIT.usage : EXIT.ok;
    }
    if (name === "--version" || name === "-V") {
      io.out(`${VERSION}\n`);
      return EXIT.ok;
    }
    const cmd = commands.find((c) => c.name === name);
    if (!cmd) throw new UsageError(`unknown command '${name}'`);
    const parsed = parse(cmd, rest);
    if (parsed.values.help) {
      io.out(commandHelp(cmd));
      return EXIT.ok;
    }
    if (parsed.values.version) {
      io.out(`${VERSION}\n`);
      return EXIT.ok;
    }
    const limits = parsed.values.limit;
    if (Array.isArray(limits)) {
      const l = parseLimits(limits, session.limits);
      if (typeof l === "string") throw new UsageError(`${cmd.name}: ${l}`);
      session = session.withLimits(l);
    }
    return { cmd, ctx: { positionals: parsed.positionals, flags: parsed.values, io, session } };
  }

  return { runCli, runCliAsync };
}

function failed(e: unknown, argv: readonly string[], io: Io): number {
  if (e instanceof UsageError) {
    io.err(`mm: ${e.message}\nRun \`mm --help\` for usage.\n`);
    return EXIT.usage;
  }
  if (e instanceof UserError) {
    io.err(`mm: ${e.message}\n`);
    return e.exit;
  }
  const msg = e instanceof Error ? (e.stack ?? e.message) : String(e);
  io.err(`mm: internal compiler error: ${e instanceof Error ? e.message : String(e)}\n` +
    `This is a bug in mm, not in your program. Please report it with the input files and this command:\n` +
    `  mm ${argv.join(" ")}\n` +
    (process.env.MM_DEBUG ? msg + "\n" : "Set MM_DEBUG=1 to print the compiler's stack.\n"));
  return EXIT.internal;
}

function parse(cmd: Command, args: readonly string[]): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  const options: ParseArgsConfig["options"] = {
    help: { type: "boolean", short: "h" },
    version: { type: "boolean" },
    limit: { type: "string", multiple: true },
  };
  for (const [k, o] of Object.entries(cmd.options)) {
    options[k] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  }
  let r: ReturnType<typeof parseArgs>;
  try {
    r = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`${cmd.name}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
  }
  const values = r.values as Record<string, string | boolean | string[] | undefined>;
  for (const [k, o] of Object.entries(cmd.options)) {
    const v = values[k];
    if (typeof v === "string") checkValue(cmd.name, k, o, v);
  }
  return { values, positionals: r.positionals };
}

/** A string option's value against its spec's choices or integer range. */
function checkValue(command: string, name: string, o: OptionSpec, v: string): void {
  if (o.choices && !o.choices.includes(v)) throw new UsageError(`${command}: --${name} takes ${orList(o.choices)}, not '${v}'`);
  if (o.int) {
    const [min, max] = o.int;
    const n = Number(v);
    if (v.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
      const range = min === 1 && max >= 1000 ? "a positive integer" : `an integer from ${min} to ${max}`;
      throw new UsageError(`${command}: --${name} takes ${range}, not '${v}'`);
    }
  }
}

/** `a`, `a or b`, `a, b or c`. */
function orList(xs: readonly string[]): string {
  return xs.length <= 1 ? xs.join("") : `${xs.slice(0, -1).join(", ")} or ${xs[xs.length - 1]}`;
}

function commandHelp(cmd: Command): string {
  const opts = Object.entries(cmd.options).map(([k, o]) => `  --${k}${o.type === "string" ? " VALUE" : ""}${" ".repeat(Math.max(1, 22 - k.length - (o.type === "string" ? 6 : 0)))}${o.doc}`);
  return `usage: mm ${cmd.usage}\n\n${cmd.summary}\n\noptions:\n${[...opts, "  --limit NAME=N         raise a budget (instances, ops, items, errors, files, fileBytes)", "  --help                 this help"].join("\n")}\n`;
}
