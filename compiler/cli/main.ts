// The `mm` command line. Every command returns an exit code; user errors are diagnostics
// or usage messages, never stack traces.
import { COMMANDS } from "./commands.js";
import { makeCli } from "./dispatch.js";
import { VERSION } from "../base/package.js";

const HELP = `mm ${VERSION}: a language for multimodal model architectures

usage: mm <command> [options]

commands:
${COMMANDS.map((c) => `  ${c.usage.padEnd(46)} ${c.summary}`).join("\n")}

A model is a stdlib name (see \`mm list\`), FILE.mm (its only model), FILE.mm --model NAME,
or FILE.mm#NAME.

exit codes: 0 ok, 1 the program has errors (diagnostics printed) or the webgpu target
cannot compile or run it, 2 usage error (also: no WebGPU adapter), 3 internal compiler
error (a bug in mm; please report it)

every command takes --limit NAME=N (repeatable) to raise a budget: instances, ops, items,
errors, files, fileBytes (docs/language.md, "Limits")

Run \`mm <command> --help\` for a command's options, \`mm explain MM1234\` for an error code.
`;

export const { runCli, runCliAsync } = makeCli(COMMANDS, () => HELP);
