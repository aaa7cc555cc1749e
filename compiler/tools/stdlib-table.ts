// The generated table of stdlib/README.md: one row per model, with its computed and
// published parameter counts.
import { relative } from "node:path";
import type { Session } from "../driver/session.js";
import { PACKAGE_ROOT } from "../base/package.js";
import { isUnpublished } from "../elaborate/model.js";
import { allParams, type ElaboratedModel } from "../elaborate/instance.js";
import { countParams, paramCount } from "./params.js";
import { matchesPattern } from "../elaborate/stages.js";
import { matchesPublished, parsePublished } from "./published.js";

export interface StdlibRow {
  readonly name: string;
  readonly file: string;
  readonly total?: number;
  readonly trainable?: number;
  readonly published: string;
  readonly source: string;
  readonly match: "yes" | "no" | "-" | "error";
}

const fmt = (n: number | undefined): string => (n === undefined ? "-" : n.toLocaleString("en-US"));

export function stdlibRows(session: Session): StdlibRow[] {
  const program = session.stdlib();
  return session.models(program).map((ref) => {
    const file = relative(PACKAGE_ROOT, ref.home.path);
    const r = session.compile(ref, program, { checkOnly: true });
    const doc = ref.decl.doc;
    if (isUnpublished(ref.decl)) return { name: ref.name, file, published: "not definable", source: "no architecture was published", match: "-" as const };
    const pub = parsePublished(doc);
    if (!r.checked) return { name: ref.name, file, published: "-", source: "", match: "error" };
    const c = countParams(r.checked.model);
    if (pub === undefined || pub === "none") {
      return { name: ref.name, file, total: c.total, trainable: c.trainable, published: pub === "none" ? "none" : "-", source: "", match: "-" };
    }
    const count = pub.of === "trainable" ? c.trainable : pub.of === "total" ? c.total : countUnder(r.checked.model, pub.of.paths);
    return {
      name: ref.name, file, total: c.total, trainable: c.trainable, published: pub.text, source: pub.source,
      match: matchesPublished(count, pub) ? "yes" : "no",
    };
  });
}

/** Parameters under any of the paths (patterns as in stages), EMA copies excluded. */
export function countUnder(model: ElaboratedModel, paths: readonly string[]): number {
  return allParams(model.root).filter((p) => !p.ema && paths.some((q) => matchesPattern(q.split("."), p.path))).reduce((a, p) => a + paramCount(p), 0);
}

export function renderStdlibTable(rows: readonly StdlibRow[]): string {
  const head = "| model | file | parameters | trainable | published | matches | source of the figure |\n| --- | --- | ---: | ---: | --- | --- | --- |\n";
  return head + rows.map((r) => `| ${r.name} | ${r.file} | ${fmt(r.total)} | ${fmt(r.trainable)} | ${r.published} | ${r.match} | ${r.source} |`).join("\n") + "\n";
}
