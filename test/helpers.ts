// Shared test helpers: run the CLI in-process, and check programs written to temp dirs.
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { runCli } from "../compiler/cli/main.js";
import { Session } from "../compiler/driver/session.js";

export interface RunResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

const shared = new Session();

export function mm(...args: string[]): RunResult {
  let out = "";
  let err = "";
  const code = runCli(args, { out: (s) => (out += s), err: (s) => (err += s), color: false }, shared);
  return { code, out, err };
}

/** Writes files into a fresh temp project (with a package.json as its root); returns paths. */
export function project(files: Record<string, string>): { root: string; path: (name: string) => string } {
  const root = mkdtempSync(join(tmpdir(), "mm-test-"));
  writeFileSync(join(root, "package.json"), "{}\n");
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return { root, path: (name) => join(root, name) };
}

/** Checks one program; returns its diagnostic codes in order. */
export function codesOf(text: string): string[] {
  const p = project({ "main.mm": text });
  return new Session().checkFiles([p.path("main.mm")]).diagnostics.map((d) => d.code);
}

/** Compiles the model of a one-file program. */
export function compileOne(text: string, model?: string) {
  const p = project({ "main.mm": text });
  const s = new Session();
  const program = s.load([p.path("main.mm")]);
  const ref = s.findModel(model ?? s.models(program)[0]!.name, program).ref!;
  return s.compile(ref, program);
}
