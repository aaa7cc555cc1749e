// Rule: tasks name outputs, losses and inputs that exist; stages name tasks that exist and
// path patterns that match at least one parameter.
import type { Span } from "../../ast/ast.js";
import { diag } from "../../diagnostics/diagnostic.js";
import { didYouMean } from "../../diagnostics/suggest.js";
import { matchesSomeParam } from "../../elaborate/stages.js";
import type { ModelEnd, Rule } from "./rule.js";

export const taskReferences: Rule<ModelEnd> = {
  name: "task-references", codes: ["MM5004"],
  check({ model, outputs, losses, traced }, report) {
    const ref = (what: string, name: string, pool: ReadonlySet<string>, owner: { span: Span; refSpans: ReadonlyMap<string, Span> }): void => {
      if (pool.has(name)) return;
      const h = didYouMean(name, pool);
      report(diag("MM5004", owner.refSpans.get(name) ?? owner.span, { what, name, model: model.name }, h ? { hint: h } : {}));
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
          report(diag("MM5004", s.refSpans.get(pat.join(".")) ?? s.span, { what: "parameter path", name: pat.join("."), model: model.name }, {
            hint: `top-level components: ${[...model.root.children.keys()].join(", ")}`,
          }));
        }
      }
    }
  },
};
