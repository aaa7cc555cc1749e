// A model's `layout` items as plain rules (ElaboratedModel.layouts), checked here: each rule
// is `"model.pattern": "checkpoint.pattern"`, or `split("key")` (a packed tensor: the model
// pattern names its parts `{q,k,v}`), `stack("key.*")` (a tensor stored as numbered rows) or
// `transpose("key")`; both sides have the same wildcards (`*` a segment or part of one, `**`
// several segments) in the same order, and stack one more, last.
import type { LayoutItem, LayoutRule } from "../ast/ast.js";
import { fail } from "../diagnostics/diagnostic.js";
import type { LayoutInfo } from "./instance.js";

type Rule = LayoutInfo["rules"][number];

/** The wildcards in order (`**`, `*`), as compiler/tools/weights/layout.ts reads them. */
const wild = (p: string): string => [...p.matchAll(/\{[^}]*\}|\*\*|\*|[^{*]+/g)].map((m) => m[0]).filter((t) => t === "*" || t === "**").join(" ");

function rule(r: LayoutRule): Rule {
  const bad = (detail: string): never => fail("MM5010", r.span, { detail }, { hint: 'write "model.path.*": "checkpoint.key.*", split("key") for a packed {q,k,v} tensor, stack("key.*") for numbered rows, or transpose("key")' });
  const model = r.model.value;
  const c = r.checkpoint;
  let checkpoint: string;
  let op: Rule["op"] = "rename";
  if (c.kind === "String") {
    checkpoint = c.value;
  } else if (c.kind === "Call" && c.callee.kind === "Name" && (c.callee.name === "split" || c.callee.name === "transpose" || c.callee.name === "stack")
    && c.args.length === 1 && c.args[0]!.name === undefined && c.args[0]!.value.kind === "String") {
    op = c.callee.name;
    checkpoint = c.args[0]!.value.value;
  } else {
    return bad("a rule maps a model path to a quoted checkpoint key, split(\"key\"), stack(\"key.*\") or transpose(\"key\")");
  }
  const braces = (model.match(/\{[^}]*\}/g) ?? []).length;
  if (op === "split" && braces !== 1) bad(`split needs the parts of the packed tensor in the model path, once: "…{q,k,v}_proj.weight"`);
  if (op !== "split" && braces > 0) bad("a `{...}` list of parts goes with split(\"key\")");
  if (/[{}]/.test(checkpoint)) bad("the checkpoint key of a rule has no `{...}` parts: the model path names them");
  const want = op === "stack" ? `${wild(model)} *`.trim() : wild(model);
  if (want !== wild(checkpoint)) {
    bad(op === "stack" ? "stack(\"key.*\") numbers the checkpoint's tensors with one `*` more than the model path has, last"
      : `both sides need the same wildcards in the same order ('${wild(model) || "none"}' and '${wild(checkpoint) || "none"}')`);
  }
  return { model, checkpoint, op };
}

export function layoutInfo(item: LayoutItem): LayoutInfo {
  return { name: item.name.name, rules: item.rules.map(rule), span: item.span };
}
