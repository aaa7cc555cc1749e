// Hover (compiler/lsp/server.ts asks): a tensor's shape in each model of the file that
// traces it; a component's block, kind, size and the stages that freeze it; a declaration's
// signature and doc; an op's shape rule.
import { allParams } from "../elaborate/instance.js";
import { trainedIn } from "../elaborate/stages.js";
import { OPS } from "../ops/index.js";
import { declAt, instancesOf, signature, typesOf, wordAt } from "./query.js";
import type { Analysis } from "./workspace.js";

/** Markdown for a hover at `offset`, or undefined. */
export function hover(a: Analysis, text: string, offset: number): string | undefined {
  const scope = a.scope;
  const w = wordAt(text, offset);
  if (!scope || !w) return undefined;
  const decl = declAt(scope, offset);
  if (decl) {
    const types = typesOf(a, decl, w.word);
    if (types.length === 1) return `**${w.word}**: \`${types[0]!.type}\``;
    if (types.length > 1) {
      const in2 = (ms: string[]): string => ms.slice(0, 2).join(", ") + (ms.length > 2 ? ` and ${ms.length - 2} more` : "");
      return [`**${w.word}**, by model:`, ...types.slice(0, 6).map((t) => `- \`${t.type}\` in ${in2(t.models)}`),
        ...(types.length > 6 ? [`- and ${types.length - 6} more shapes`] : [])].join("\n");
    }
    const child = instancesOf(a.models, decl).map(({ inst }) => inst.children.get(w.word)).find((c) => c !== undefined);
    if (child) {
      const ps = allParams(child);
      const params = ps.reduce((n, p) => n + p.shape.reduce((m, d) => m * (d.constValue() ?? 0), 1), 0);
      const model = instancesOf(a.models, decl).find(({ inst }) => inst.children.get(w.word) === child)!.model.model;
      const frozen = model.stages.filter((st) => ps.length > 0 && ps.every((p) => !trainedIn(st, p.path))).map((st) => st.name);
      const stages = model.stages.length === 0 || ps.length === 0 ? "" : frozen.length === 0 ? "; trained in every stage"
        : `; frozen in ${frozen.length === model.stages.length ? "every stage" : `stage${frozen.length > 1 ? "s" : ""} ${frozen.join(", ")}`}`;
      return `**${w.word}**: ${child.kind} \`${child.declName}\`, ${params.toLocaleString("en-US")} parameters${stages}`;
    }
  }
  const ref = scope.names.get(w.word);
  if (ref) return [`\`\`\`mm\n${signature(ref.decl)}\n\`\`\``, ref.decl.kind !== "Enum" ? ref.decl.doc : undefined].filter(Boolean).join("\n\n");
  const op = OPS.get(w.word);
  if (op) return `\`\`\`mm\n${op.name}(${op.params.map((p) => p.name).join(", ")})\n\`\`\`\n\n${op.doc}\n\nShape: ${op.shapeRule}`;
  return undefined;
}
