// The `mm` command line. Every command returns an exit code; user errors are diagnostics
// or usage messages, never stack traces.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { Session } from "../driver/session.js";
import { EXIT, processIo, UsageError, UserError, type Io } from "./io.js";
import { COMMANDS, type Command, type CommandContext } from "./commands.js";
import { VERSION } from "./version.js";

const HELP = `mm ${VERSION}: a language for multimodal model architectures

usage: mm <command> [options]

commands:
${COMMANDS.map((c) => `  ${c.usage.padEnd(46)} ${c.summary}`).join("\n")}

A model is a stdlib name (see \`mm list\`), FILE.mm (its only model), FILE.mm --model NAME,
or FILE.mm#NAME.

exit codes: 0 ok, 1 the program has errors (diagnostics printed) or the webgpu target
cannot compile or run it, 2 usage error (also: no WebGPU adapter), 3 internal compiler
error (a bug in mm; please report it)

Run \`mm <command> --help\` for a command's options, \`mm explain MM1234\` for an error code.
`;

/** Runs a synchronous command (every command but `run`); returns the exit code. */
export function runCli(argv: readonly string[], io: Io = processIo, session: Session = new Session()): number {
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

/** Runs any command, awaiting the asynchronous ones (what bin/mm.js calls). */
export async function runCliAsync(argv: readonly string[], io: Io = processIo, session: Session = new Session()): Promise<number> {
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
    io.out(HELP);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === "--version" || name === "-V") {
    io.out(`${VERSION}\n`);
    return EXIT.ok;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
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
  return { cmd, ctx: { positionals: parsed.positionals, flags: parsed.values, io, session } };
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
    ...cmd.options,
  };
  try {
    const r = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    return { values: r.values as Record<string, string | boolean | string[] | undefined>, positionals: r.positionals };
  } catch (e) {
    throw new UsageError(`${cmd.name}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
  }
}

function commandHelp(cmd: Command): string {
  const opts = Object.entries(cmd.options).map(([k, o]) => `  --${k}${o.type === "string" ? " VALUE" : ""}${" ".repeat(Math.max(1, 22 - k.length - (o.type === "string" ? 6 : 0)))}${cmd.optionDocs[k] ?? ""}`);
  return `usage: mm ${cmd.usage}\n\n${cmd.summary}\n\noptions:\n${[...opts, "  --help                 this help"].join("\n")}\n`;
}
