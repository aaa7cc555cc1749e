// The IR model as text (`mm compile MODEL --target ir -o model.ir`): what a backend receives,
// readable and diffable, and pinned by golden tests. One line per fact, in graph order:
//
//   mm-ir 1
//   model Tiny  variant of Base  task retrieval
//   input pixel_values: [B, 3, 32, 32] float32                       (pinned: a task input)
//   param visual.proj: [64, 32] float32 = normal(std: 0.02)  @ std/models/clip.mm:40
//   buffer bn.running_var: [8] float32 = ones()
//   const c3: [] float32 = 0.5
//   v12: [B, 64] float32 = linear(v10, visual.proj) {}  # visual  @ std/models/clip.mm:52
//   output logits_per_image = v57
//   stage pretrain  tasks pretrain  trains 12 of 14 parameters
//
// Deterministic: the same model gives the same bytes. The format's first line carries its
// version; a change to what a line says bumps it.
import type { Span } from "../ast/ast.js";
import type { IrInit, IrParam } from "./ir.js";
import { valueMap } from "./ir.js";
import { locate, type IrModel } from "./model.js";

export const IR_TEXT_VERSION = 1;

export function formatIrModel(m: IrModel): string {
  const g = m.graph;
  const vm = valueMap(g);
  const at = (span: Span): string => `  @ ${locate(m.files, span)}`;
  const type = (id: number): string => {
    const v = vm.get(id)!;
    return `[${v.type.shape.map((d) => d.toString()).join(", ")}] ${v.type.dtype}`;
  };
  const name = (id: number | null): string => (id === null ? "none" : vm.get(id)?.name ?? `?${id}`);
  const lines = [`mm-ir ${IR_TEXT_VERSION}`];
  lines.push(`model ${m.name}${m.variantOf ? `  variant of ${m.variantOf}` : ""}${g.task !== undefined ? `  task ${g.task}` : ""}`);
  for (const i of g.inputs) lines.push(`input ${i.name}: ${type(i.value)}${i.pinned ? "  pinned" : ""}`);
  for (const p of g.params) lines.push(`${p.buffer ? "buffer" : "param"} ${name(p.value)}: ${type(p.value)}${initText(p)}${p.ema ? `  ema of ${p.ema.source}, momentum ${p.ema.momentum}` : ""}${at(p.span)}`);
  for (const v of g.values) if (v.source.kind === "constant") lines.push(`const ${v.name}: ${type(v.id)} = ${JSON.stringify(v.source.value)}`);
  for (const n of g.nodes) {
    const outs = n.outputs.map((o) => `${name(o)}: ${type(o)}`).join(", ");
    lines.push(`${outs} = ${n.op}(${n.inputs.map(name).join(", ")}) ${JSON.stringify(n.attrs)}  # ${n.scope || "(model)"}${at(n.span)}`);
  }
  for (const o of g.outputs) lines.push(`${o.kind} ${o.name} = ${name(o.value)}`);
  const graphParams = g.params.filter((p) => !p.ema && !p.buffer).map((p) => p.path);
  for (const s of m.stages) {
    const trained = new Set(s.trained);
    lines.push(`stage ${s.name}  tasks ${s.tasks.join(", ") || "-"}  trains ${graphParams.filter((p) => trained.has(p)).length} of ${graphParams.length} parameters`);
  }
  return lines.join("\n") + "\n";
}

function initText(p: IrParam): string {
  const i: IrInit | undefined = p.init;
  if (!i) return "";
  const arg = (v: IrInit["positional"][number]): string => (v === null ? "none" : typeof v === "string" ? JSON.stringify(v) : String(v));
  const args = [...i.positional.map(arg), ...Object.entries(i.args).map(([k, v]) => `${k}: ${arg(v)}`)];
  return ` = ${i.name}(${args.join(", ")})`;
}
