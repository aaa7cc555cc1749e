// Rule: tasks name outputs, losses and inputs that exist; stages name tasks that exist and
// path patterns that match at least one parameter.
import { diag, type Diagnostic } from "../../diagnostics/diagnostic.js";
import { didYouMean } from "../../diagnostics/suggest.js";
import type { ElaboratedModel } from "../../elaborate/instance.js";
import { matchesSomeParam } from "../../elaborate/stages.js";
import type { Span } from "../../ast/ast.js";

export function checkTaskReferences(model: ElaboratedModel, outputs: ReadonlySet<string>, losses: ReadonlySet<string>, traced: boolean): Diagnostic[] {
  const out: Diagnostic[] = [];
  const ref = (what: string, name: string, pool: ReadonlySet<string>, owner: { span: Span; refSpans: ReadonlyMap<string, Span> }): void => {
    if (pool.has(name)) return;
    const h = didYouMean(name, pool);
    out.push(diag("MM5004", owner.refSpans.get(name) ?? owner.span, { what, name, model: model.name }, h ? { hint: h } : {}));
  };
  const inputs = new Set(model.inputs.map((i) => i.name));
  for (const t of model.tasks) {
    if (traced) {
      for (const o of t.outputs) ref("output", o, outputs, t);
      for (const l of t.losses) ref("loss", l, losses, t);
    }
    for (const i of t.inputs) ref("input", i, inputs, t);
  }
  const tasks = new Set(model.tasks.map((t) => t.name));
  for (const s of model.stages) {
    for (const t of s.tasks) ref("task", t, tasks, s);
    for (const pat of [...s.train, ...s.freeze]) {
      if (!matchesSomeParam(model.root, pat)) {
        out.push(diag("MM5004", s.refSpans.get(pat.join(".")) ?? s.span, { what: "parameter path", name: pat.join("."), model: model.name }, {
          hint: `top-level components: ${[...model.root.children.keys()].join(", ")}`,
        }));
      }
    }
  }
  return out;
}
