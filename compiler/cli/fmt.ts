// `mm fmt [--check] FILE|DIR...`: rewrites .mm files in the canonical layout
// (compiler/tools/fmt/), atomically (a temp file in the same folder, then rename). With
// `--check` nothing is written: the files that would change are listed and the exit
// status is 1 if there are any. A file with a syntax error is reported and left alone.
import { existsSync, readFileSync, statSync } from "node:fs";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { listMmFiles } from "../resolve/host.js";
import { formatText } from "../tools/fmt/index.js";
import type { Command } from "./command.js";
import { EXIT, UsageError } from "./io.js";
import { report } from "./report.js";
import { writeFileAtomic } from "../base/atomic.js";

export const fmt: Command = {
  name: "fmt", usage: "fmt [--check] FILE|DIR...", summary: "rewrite .mm files in the canonical layout (comments kept)",
  options: { check: { type: "boolean", doc: "write nothing; list the files that would change and exit 1 if any" } },
  run(ctx) {
    if (ctx.positionals.length === 0) throw new UsageError("fmt: give one or more .mm files or folders");
    const files: string[] = [];
    for (const a of ctx.positionals) {
      if (!existsSync(a)) throw new UsageError(`cannot read '${a}'`);
      if (statSync(a).isDirectory()) files.push(...listMmFiles(a));
      else files.push(a);
    }
    const check = Boolean(ctx.flags.check);
    const diags: Diagnostic[] = [];
    const sources = new Map<string, string>();
    let changed = 0;
    for (const f of files) {
      const text = readFileSync(f, "utf8");
      const r = formatText(f, text);
      if (!r.ok) {
        sources.set(f, text);
        diags.push(...r.diagnostics);
        continue;
      }
      if (!r.changed) continue;
      changed++;
      if (check) ctx.io.out(`${f}\n`);
      else {
        writeFileAtomic(f, r.text);
        ctx.io.err(`formatted ${f}\n`);
      }
    }
    report(ctx, diags, sources, false);
    const verb = check ? "would change" : "changed";
    ctx.io.err(`${files.length} file(s): ${changed} ${verb}${diags.length > 0 ? `, ${sources.size} with syntax errors (left alone)` : ""}\n`);
    if (diags.length > 0) return EXIT.diagnostics;
    return check && changed > 0 ? EXIT.diagnostics : EXIT.ok;
  },
};
