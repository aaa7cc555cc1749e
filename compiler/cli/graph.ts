// `mm graph MODEL [--level model|block|op] [--depth N] [--expand PATH[:N|:op]]...
// [--format svg|dot|html] -o OUT`: an architecture diagram (compiler/tools/graph/). Without
// -o the text goes to stdout. HTML is an interactive page (page.ts) that opens where the
// flags say and lets the reader open and close components.
import { buildDiagram, LEVELS, type Diagram, type Level, type ViewOptions } from "../tools/graph/diagram.js";
import { toDot } from "../tools/graph/dot.js";
import { interactivePage } from "../tools/graph/page.js";
import { FORMATS, LayoutError, layoutSvg, type Format } from "../tools/graph/render.js";
import { makeView, parseExpand, ViewError } from "../tools/graph/view.js";
import { writeFileAtomic } from "../base/atomic.js";
import { checkOutputFile, model, type Command } from "./command.js";
import { EXIT, UsageError } from "./io.js";
import { loadCheckedModel } from "./target.js";

function formatFor(flag: unknown, out: string | undefined): Format {
  if (flag !== undefined) return flag as Format; // one of FORMATS: the dispatcher checked it
  const ext = out?.slice(out.lastIndexOf(".") + 1).toLowerCase();
  return ext === "dot" || ext === "gv" ? "dot" : ext === "html" || ext === "htm" ? "html" : "svg";
}

export const graph: Command = {
  name: "graph", usage: "graph MODEL [--level L | --depth N] [--expand PATH[:N|:op]]... [--format F] [-o OUT]",
  summary: "architecture diagram (SVG or DOT laid out by Graphviz, or an interactive HTML page)",
  options: {
    model,
    level: { type: "string", doc: "model (top-level components, default), block (one level deeper) or op (primitive ops)", choices: LEVELS },
    depth: { type: "string", doc: "open components N levels deep (1 = --level model, 2 = --level block); with --level op, clusters N deep", int: [1, 1000] },
    expand: { type: "string", multiple: true, doc: "open one component (repeatable): PATH one level, PATH:N N levels, PATH:op down to its ops; * matches any one name (layers.*.mlp)" },
    format: { type: "string", doc: "svg (default; or from -o's extension), dot, or html (a self-contained page: open and close components in it)", choices: FORMATS },
    output: { type: "string", short: "o", doc: "write here (atomically) instead of stdout" },
  },
  run(ctx) {
    const spec = ctx.positionals[0];
    if (!spec || ctx.positionals.length > 1) throw new UsageError("graph: give one model (a stdlib name, FILE.mm, or FILE.mm --model NAME)");
    const level = (ctx.flags.level ?? "model") as Level;
    if (ctx.flags.depth !== undefined && ctx.flags.level !== undefined && level !== "op") throw new UsageError("graph: give --level model|block or --depth N, not both (--depth 1 is the model level, 2 the block level)");
    const expand = Array.isArray(ctx.flags.expand) ? ctx.flags.expand : [];
    for (const e of expand) {
      try {
        parseExpand(e); // a malformed spec fails before the model is checked
      } catch (err) {
        if (err instanceof ViewError) throw new UsageError(`graph: ${err.message}`);
        throw err;
      }
    }
    const opts: ViewOptions = { ...(ctx.flags.depth !== undefined ? { depth: Number(ctx.flags.depth) } : {}), expand };
    const out = typeof ctx.flags.output === "string" ? ctx.flags.output : undefined;
    if (ctx.flags.output !== undefined && !out) throw new UsageError("graph: -o takes a file name");
    if (out) checkOutputFile("graph", out);
    const format = formatFor(ctx.flags.format, out);
    const checked = loadCheckedModel(ctx, spec);
    if (!checked) return EXIT.diagnostics;
    if (!checked.graph) throw new Error("the checker traced no graph for a model without errors");
    let diagram: Diagram;
    try {
      diagram = buildDiagram(checked.model, checked.graph, level, opts);
    } catch (e) {
      if (e instanceof ViewError) throw new UsageError(`graph: ${e.message}`);
      throw e;
    }
    const dot = toDot(diagram);
    let text = dot;
    if (format === "html") text = interactivePage(checked.model, checked.graph, makeView(checked.model.root, level, opts), diagram.view);
    else if (format === "svg") {
      try {
        text = layoutSvg(dot);
      } catch (e) {
        if (!(e instanceof LayoutError)) throw e;
        ctx.io.err(`mm: ${e.message}\n`);
        return EXIT.internal;
      }
    }
    if (out) {
      writeFileAtomic(out, text);
      ctx.io.err(`wrote ${out} (${format}, ${diagram.view})\n`);
    } else ctx.io.out(text);
    return EXIT.ok;
  },
};
