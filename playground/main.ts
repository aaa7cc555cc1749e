// The playground page: a CodeMirror editor with mm's highlighting, the compiler in a web
// worker (worker.ts) for diagnostics as you type and shapes on hover, and panels for the
// model's parameters, summary, diagram (Graphviz in WebAssembly), a diff of two models, and a
// run on this browser's WebGPU through mm's runtime.
import { basicSetup, EditorView } from "codemirror";
import { HighlightStyle, StreamLanguage, syntaxHighlighting } from "@codemirror/language";
import { linter, lintGutter, type Diagnostic as CmDiagnostic } from "@codemirror/lint";
import { hoverTooltip } from "@codemirror/view";
import { tags } from "@lezer/highlight";
import { instance as viz } from "@viz-js/viz";
import { outputLine, PlanRunner, requiredLimits } from "../runtime/index.js";
import type { Plan } from "../runtime/plan.js";
import { isReserved, KEYWORDS } from "../grammar/tokens.js";
import EXAMPLE from "./example.mm";

// ------------------------------------------------------------------ the compiler's worker

const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
let nextId = 0;
const pending = new Map<number, { ok: (v: unknown) => void; fail: (e: Error) => void }>();
const ready = new Promise<void>((done) => {
  worker.addEventListener("message", (e: MessageEvent<{ ready?: true; id?: number; ok?: unknown; error?: string }>) => {
    if (e.data.ready) return done();
    const p = pending.get(e.data.id!);
    pending.delete(e.data.id!);
    if (e.data.error !== undefined) p?.fail(new Error(e.data.error));
    else p?.ok(e.data.ok);
  });
});
async function call<T>(type: string, body: Record<string, unknown> = {}): Promise<T> {
  await ready;
  return new Promise<T>((ok, fail) => {
    const id = nextId++;
    pending.set(id, { ok: ok as (v: unknown) => void, fail });
    worker.postMessage({ id, type, ...body });
  });
}

// ------------------------------------------------------------------ highlighting

// mm's own keyword table (grammar/tokens.ts): reserved words always, contextual ones where they
// lead an item (a name, number, string or `{` follows), as the TextMate grammar reads them.
const RESERVED = new Set([...KEYWORDS].filter(([, k]) => isReserved(k)).map(([w]) => w));
const CONTEXTUAL = new Set([...[...KEYWORDS].filter(([, k]) => !isReserved(k)).map(([w]) => w), "default"]);
const mmLanguage = StreamLanguage.define<{ dummy?: true }>({
  name: "mm",
  startState: () => ({}),
  token(stream) {
    if (stream.eatSpace()) return null;
    if (stream.match(/^#.*/)) return "comment";
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/)) return "string";
    if (stream.match(/^[0-9][0-9_]*(?:\.[0-9][0-9_]*)?(?:[eE][+-]?[0-9_]+)?/)) return "number";
    const word = stream.match(/^[A-Za-z_][A-Za-z0-9_]*/) as RegExpMatchArray | null;
    if (word) {
      const w = word[0];
      if (RESERVED.has(w)) return "keyword";
      if (CONTEXTUAL.has(w) && /^\s+[A-Za-z0-9_"{]|^\s*\{/.test(stream.string.slice(stream.pos))) return "keyword";
      if (/^(Int|Float|Bool|String|float32|float16|bfloat16|int64|int32|bool)$/.test(w)) return "typeName";
      const call = /^\s*\(/.test(stream.string.slice(stream.pos));
      if (/^[A-Z]/.test(w) && (call || !/^[A-Z][A-Z0-9_]*$/.test(w))) return "className";
      if (/^[A-Z]/.test(w)) return "variableName.special"; // a dim: B, T
      return call ? "variableName.function" : "variableName";
    }
    if (stream.match(/^[[\]]/)) return "squareBracket";
    stream.next();
    return "operator";
  },
});
const style = HighlightStyle.define([
  { tag: tags.keyword, color: "#7c3aed", fontWeight: "600" }, { tag: tags.comment, color: "#6b7280", fontStyle: "italic" },
  { tag: tags.string, color: "#047857" }, { tag: tags.number, color: "#b45309" }, { tag: tags.typeName, color: "#0e7490" },
  { tag: tags.className, color: "#1d4ed8" }, { tag: tags.special(tags.variableName), color: "#be123c" },
  { tag: tags.function(tags.variableName), color: "#1e40af" }, { tag: tags.squareBracket, color: "#be123c" },
]);

// ------------------------------------------------------------------ the editor

const $ = <T extends HTMLElement>(sel: string): T => document.querySelector(sel)!;
const status = (s: string): void => void ($("#status").textContent = s);
let models: string[] = [];

interface Problem { from: number; to: number; severity: "error" | "warning"; code: string; message: string; hint?: string }

const check = linter(async (view) => {
  const t0 = performance.now();
  const r = await call<{ diagnostics: Problem[]; models: string[] }>("update", { text: view.state.doc.toString() });
  const errors = r.diagnostics.filter((d) => d.severity === "error").length;
  status(errors ? `${errors} error${errors > 1 ? "s" : ""}` : `ok in ${Math.round(performance.now() - t0)} ms`);
  showProblems(view, r.diagnostics);
  setModels(r.models);
  return r.diagnostics.map((d): CmDiagnostic => ({
    from: Math.min(d.from, view.state.doc.length), to: Math.min(d.to, view.state.doc.length), severity: d.severity,
    message: `${d.code} ${d.message}${d.hint ? `\nhint: ${d.hint}` : ""}`,
  }));
}, { delay: 120 });

const hover = hoverTooltip(async (_view, pos) => {
  const md = await call<string | null>("hover", { offset: pos });
  if (!md) return null;
  return {
    pos, create: () => {
      const dom = document.createElement("div");
      dom.innerHTML = md.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]!)
        .replace(/\*\*([^*]+)\*\*/g, "<b>$1</b>").replace(/`([^`]+)`/g, "<code>$1</code>").replace(/\n/g, "<br>");
      return { dom };
    },
  };
});

const view = new EditorView({
  doc: EXAMPLE, parent: $("#editor"),
  extensions: [basicSetup, mmLanguage, syntaxHighlighting(style), check, lintGutter(), hover],
});
(window as unknown as { mmPlayground: unknown }).mmPlayground = { view };

function showProblems(v: EditorView, ds: readonly Problem[]): void {
  const el = $("#problems");
  el.replaceChildren(...(ds.length ? ds.map((d) => {
    const line = v.state.doc.lineAt(Math.min(d.from, v.state.doc.length));
    const row = document.createElement("div");
    row.className = `problem ${d.severity}`;
    row.innerHTML = `<span class="code">${d.code}</span> ${line.number}:${d.from - line.from + 1} `;
    row.append(d.message);
    if (d.hint) row.append(Object.assign(document.createElement("div"), { className: "hint", textContent: `hint: ${d.hint}` }));
    return row;
  }) : [Object.assign(document.createElement("p"), { textContent: "No problems." })]));
}

function setModels(names: string[]): void {
  if (names.join() === models.join() && names.length) return void refreshPanels();
  models = names;
  const sel = $<HTMLSelectElement>("#model");
  const keep = sel.value;
  sel.replaceChildren(...names.map((n) => Object.assign(document.createElement("option"), { value: n, textContent: n })));
  if (names.includes(keep)) sel.value = keep;
  $("#models").replaceChildren(...names.map((n) => Object.assign(document.createElement("option"), { value: n })));
  void refreshPanels();
}

// ------------------------------------------------------------------ panels

interface ParamRow { name: string; params: number; children?: ParamRow[] }
let vizInstance: Promise<Awaited<ReturnType<typeof viz>>> | undefined;

async function refreshPanels(): Promise<void> {
  const model = $<HTMLSelectElement>("#model").value;
  if (!model) return;
  const p = await call<{ params: { total: number; components: ParamRow[] }; summary: string; dot: string }>("panels", { model });
  const rows: string[] = [];
  const walk = (cs: readonly ParamRow[], depth: number): void => {
    for (const c of cs) {
      rows.push(`<tr><td>${"&nbsp;&nbsp;".repeat(depth)}${c.name}</td><td>${c.params.toLocaleString("en-US")}</td></tr>`);
      walk(c.children ?? [], depth + 1);
    }
  };
  walk(p.params.components, 0);
  $("#params").innerHTML = `<table data-testid="params-table"><tr><th>component</th><th>parameters</th></tr>${rows.join("")}`
    + `<tr><th>total</th><th>${p.params.total.toLocaleString("en-US")}</th></tr></table>`;
  $("#summary pre").textContent = p.summary;
  vizInstance ??= viz();
  $("#diagram").innerHTML = p.dot ? (await vizInstance).renderString(p.dot, { format: "svg" }) : "";
}

for (const b of document.querySelectorAll<HTMLButtonElement>("nav button")) {
  b.addEventListener("click", () => {
    for (const x of document.querySelectorAll("nav button, aside section")) x.classList.remove("on");
    b.classList.add("on");
    $(`#${b.dataset.tab}`).classList.add("on");
  });
}
$("#model").addEventListener("change", () => void refreshPanels());
$("#diff-go").addEventListener("click", async () => {
  const a = $<HTMLInputElement>("#diff-a").value || models[0], b = $<HTMLInputElement>("#diff-b").value;
  try {
    $("#diff pre").textContent = await call<string>("diff", { a, b });
  } catch (e) {
    $("#diff pre").textContent = (e as Error).message;
  }
});

// ------------------------------------------------------------------ run

$("#run-go").addEventListener("click", async () => {
  const out = $("#run-out");
  const model = $<HTMLSelectElement>("#model").value;
  out.textContent = `compiling ${model}…`;
  try {
    if (!("gpu" in navigator)) throw new Error("this browser has no WebGPU (navigator.gpu): try a recent Chrome or Edge, or Firefox Nightly with dom.webgpu.enabled");
    const gpu = (navigator as unknown as { gpu: GPU }).gpu;
    const r = await call<{ plan: Plan; weights: Uint8Array; inputs: { name: string; data: Float32Array | BigInt64Array | Uint8Array }[]; bind: Record<string, number> }>("plan", { model });
    const adapter = await gpu.requestAdapter();
    if (!adapter) throw new Error("navigator.gpu.requestAdapter() gave no adapter");
    const device = await adapter.requestDevice({ requiredLimits: requiredLimits(r.plan, adapter) });
    const runner = await PlanRunner.create(device, r.plan, r.weights);
    const outputs = await runner.run(Object.fromEntries(r.inputs.map((i) => [i.name, i.data])));
    runner.destroy();
    const lines = Object.values(outputs).map(outputLine);
    out.textContent = [`${model} on ${adapter.info.vendor || "webgpu"}: ${Object.entries(r.bind).map(([k, v]) => `${k}=${v}`).join(", ")}`, ...lines].join("\n");
  } catch (e) {
    out.textContent = `cannot run: ${(e as Error).message}`;
  }
});
status("checking…");
