// `mm list`: the models of the standard library and of the given files.
import { relative } from "node:path";
import type { Session } from "../driver/session.js";
import { PACKAGE_ROOT } from "../base/package.js";
import type { Program } from "../resolve/loader.js";
import { isUnpublished } from "../elaborate/model.js";

export interface ListEntry {
  readonly name: string;
  readonly file: string;
  readonly base?: string;
  readonly doc?: string;
  readonly source: "stdlib" | "file";
  /** Named in the literature but never published: listed, not definable. */
  readonly unpublished?: boolean;
  readonly display?: string;
}

export function listModels(session: Session, files: readonly string[]): ListEntry[] {
  const from = (p: Program, source: ListEntry["source"]): ListEntry[] =>
    session.models(p).map((m) => ({
      name: m.name,
      file: relative(source === "stdlib" ? PACKAGE_ROOT : process.cwd(), m.home.path),
      ...(isUnpublished(m.decl) ? { unpublished: true, display: m.decl.kind === "Variant" ? m.decl.displayName?.value ?? m.name : m.name } : m.decl.kind === "Variant" ? { base: m.decl.base.name } : {}),
      ...(m.decl.doc ? { doc: m.decl.doc.split("\n")[0]! } : {}),
      source,
    }));
  return [...(files.length ? from(session.load(files), "file") : []), ...from(session.stdlib(), "stdlib")];
}

export function renderList(entries: readonly ListEntry[]): string {
  const w = Math.max(4, ...entries.map((e) => e.name.length));
  const fw = Math.max(4, ...entries.map((e) => e.file.length));
  const what = (e: ListEntry): string => (e.unpublished ? `${e.display}: not definable (no published architecture)` : e.base ? `= ${e.base}` : "");
  return entries.map((e) => `${e.name.padEnd(w)}  ${e.file.padEnd(fw)}  ${what(e)}${e.doc && !e.unpublished ? `${e.base ? "  " : ""}${e.doc}` : ""}`.trimEnd()).join("\n") + (entries.length ? "\n" : "");
}
