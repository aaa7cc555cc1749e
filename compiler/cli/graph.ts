// `mm graph MODEL [--level model|block|op] [--format svg|dot|html] -o OUT`: an
// architecture diagram (compiler/tools/graph/). Without -o the text goes to stdout.
import { buildDiagram, LEVELS, type Level } from "../tools/graph/diagram.js";
import { toDot } from "../tools/graph/dot.js";
import { FORMATS, htmlPage, LayoutError, layoutSvg, type Format } from "../tools/graph/render.js";
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
  name: "graph", usage: "graph MODEL [--level L] [--format F] [-o OUT]", summary: "architecture diagram (SVG, DOT or HTML) laid out by Graphviz",
  options: {
    model,
    level: { type: "string", doc: "model (top-level components, default), block (one level deeper) or op (primitive ops)", choices: LEVELS },
    format: { type: "string", doc: "svg (default; or from -o's extension), dot or html (a self-contained page)", choices: FORMATS },
    output: { type: "string", short: "o", doc: "write here (atomically) instead of stdout" },
  },
  run(ctx) {
    const spec = ctx.positionals[0];
    if (!spec || ctx.positionals.length > 1) throw new UsageError("graph: give one model (a stdlib name, FILE.mm, or FILE.mm --model NAME)");
    const level = (ctx.flags.level ?? "model") as Level;
    const out = typeof ctx.flags.output === "string" ? ctx.flags.output : undefined;
    if (ctx.flags.output !== undefined && !out) throw new UsageError("graph: -o takes a file name");
    if (out) checkOutputFile("graph", out);
    const format = formatFor(ctx.flags.format, out);
    const checked = loadCheckedModel(ctx, spec);
    if (!checked) return EXIT.diagnostics;
    if (!checked.graph) throw new Error("the checker traced no graph for a model without errors");
    const dot = toDot(buildDiagram(checked.model, checked.graph, level));
    let text = dot;
    if (format !== "dot") {
      try {
        text = layoutSvg(dot);
      } catch (e) {
        if (!(e instanceof LayoutError)) throw e;
        ctx.io.err(`mm: ${e.message}\n`);
        return EXIT.internal;
      }
      if (format === "html") text = htmlPage(`${checked.model.name} (${level} level)`, text);
    }
    if (out) {
      writeFileAtomic(out, text);
      ctx.io.err(`wrote ${out} (${format}, ${level} level)\n`);
    } else ctx.io.out(text);
    return EXIT.ok;
  },
};
