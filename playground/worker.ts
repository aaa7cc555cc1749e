// The playground's compiler, in a web worker: the same modules as `mm` (bundled for the
// browser by scripts/playground.mjs, node:fs replaced by an in-memory tree that holds the
// stdlib), answering the page's messages. The editor's text is one file, /work/main.mm,
// checked, traced and compiled as the language server and the CLI do it.
import STDLIB from "virtual:stdlib";
import { putFile } from "./shims/fs.js";
import { Workspace } from "../compiler/lsp/workspace.js";
import { hover } from "../compiler/lsp/hover.js";
import { countParams } from "../compiler/tools/params.js";
import { summarize } from "../compiler/tools/summary/summary.js";
import { renderSummary } from "../compiler/tools/summary/render.js";
import { buildDiagram } from "../compiler/tools/graph/diagram.js";
import { toDot } from "../compiler/tools/graph/dot.js";
import { diffModels } from "../compiler/tools/diff/diff.js";
import { renderDiff } from "../compiler/tools/diff/render.js";
import { compileToWebGpu } from "../compiler/driver/compile.js";
import { defaultDim, randomInputs } from "../compiler/tools/inputs.js";
import { irFromChecked } from "../compiler/driver/build-ir.js";
import { symbolsToBind } from "../compiler/backends/webgpu/index.js";
import type { CheckedModel } from "../compiler/check/check-model.js";

for (const [path, text] of Object.entries(STDLIB as Record<string, string>)) putFile(path, text);
putFile("/package.json", JSON.stringify({ name: "mm-lang", version: "0.1.0" }));
const FILE = "/work/main.mm";
putFile("/work/package.json", "{}");
const ws = new Workspace();

/** A model of the editor's file, or of the stdlib, checked. */
function model(name: string): CheckedModel {
  const own = ws.analyze(FILE).models.find((m) => m.model.name === name);
  if (own) return own;
  const session = ws.session();
  const { ref, program } = session.findModel(name);
  const r = ref ? session.compile(ref, program) : undefined;
  if (!r?.checked) throw new Error(`no model '${name}' checks (neither in the editor nor in the stdlib)`);
  return r.checked;
}

type Request =
  | { id: number; type: "update"; text: string }
  | { id: number; type: "hover"; offset: number }
  | { id: number; type: "panels"; model: string }
  | { id: number; type: "diff"; a: string; b: string }
  | { id: number; type: "plan"; model: string };

function answer(r: Request): unknown {
  switch (r.type) {
    case "update": {
      ws.set(FILE, r.text);
      const { diagnostics } = ws.check(FILE);
      return {
        diagnostics: diagnostics.filter((d) => d.span.file === FILE).map((d) => ({
          from: d.span.start, to: Math.max(d.span.end, d.span.start + 1), severity: d.severity, code: d.code, message: d.message, ...(d.hint ? { hint: d.hint } : {}),
        })),
        models: ws.analyze(FILE).models.map((m) => m.model.name),
      };
    }
    case "hover": return hover(ws.analyze(FILE), ws.text(FILE) ?? "", r.offset) ?? null;
    case "panels": {
      const m = model(r.model);
      return {
        params: countParams(m.model, 2),
        summary: m.graph ? renderSummary(summarize(m.model, m.graph, new Map(), 1)) : "",
        dot: m.graph ? toDot(buildDiagram(m.model, m.graph, "block")) : "",
      };
    }
    case "diff": {
      const a = model(r.a), b = model(r.b);
      return renderDiff(diffModels(a.model, a.graph, b.model, b.graph), { color: false, depth: 2 });
    }
    case "plan": {
      // What `mm run MODEL` runs: random weights and inputs of seed 0, the default dims.
      const m = model(r.model);
      const bind = new Map([...symbolsToBind(irFromChecked(m))].sort().map((s) => [s, defaultDim(s)] as const));
      const c = compileToWebGpu(m, { bind, weights: { random: 0 } });
      const inputs = randomInputs(c.ir, bind, 0).map((i) => ({ name: i.name, data: i.data }));
      return { plan: c.plan, weights: c.weights, inputs, bind: Object.fromEntries(bind) };
    }
  }
}

const scope = self as unknown as { postMessage(m: unknown): void; onmessage: ((e: MessageEvent<Request>) => void) | null };
scope.onmessage = (e) => {
  try {
    scope.postMessage({ id: e.data.id, ok: answer(e.data) });
  } catch (err) {
    scope.postMessage({ id: e.data.id, error: err instanceof Error ? err.message : String(err) });
  }
};
scope.postMessage({ ready: true });
