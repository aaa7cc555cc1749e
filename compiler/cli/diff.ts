// `mm diff A B`: a semantic diff of two models (compiler/tools/diff/). Exit 0 when
// identical, 1 when different, 2 on error, like diff(1).
import { diffModels, type ComponentDiff } from "../tools/diff/diff.js";
import { renderHtml } from "../tools/diff/html.js";
import { renderDiff } from "../tools/diff/render.js";
import { depth, json, type Command } from "./command.js";
import { EXIT, processIo, UsageError } from "./io.js";
import { writeFileAtomic } from "../base/atomic.js";
import { loadCheckedModel } from "./target.js";
import { displayPath } from "./render.js";

/** The component tree cut at `depth` levels, for the JSON form. */
function prune(cs: readonly ComponentDiff[], depth: number): ComponentDiff[] {
  return cs.map((c) => ({ ...c, children: depth > 1 ? prune(c.children, depth - 1) : [] }));
}

export const diff: Command = {
  name: "diff", usage: "diff A B [--model NAME] [--depth N] [--json] [--html OUT]",
  summary: "semantic diff of two models: components, arguments, shapes, parameters, tasks and stages",
  options: {
    model: { type: "string", doc: "the model in each FILE.mm that declares several (or write FILE.mm#NAME)" },
    depth: { ...depth(2), doc: "component levels to show, in text and JSON (default 2)" },
    json: json("the diff as JSON"),
    html: { type: "string", doc: "also write an HTML page to OUT: one file, totals, the tree of changes to expand and collapse, tasks and stages" },
  },
  run(ctx) {
    if (ctx.positionals.length !== 2) throw new UsageError("diff: give two models (stdlib names, FILE.mm#NAME, or FILE.mm --model NAME)");
    const levels = Number(ctx.flags.depth ?? 2);
    const a = loadCheckedModel(ctx, ctx.positionals[0]!);
    const b = loadCheckedModel(ctx, ctx.positionals[1]!);
    if (!a || !b) return EXIT.usage;
    const sources = new Map([...a.sources, ...b.sources]);
    const raw = diffModels(a.model, a.graph, b.model, b.graph, sources);
    const d = { ...raw, a: { ...raw.a, file: displayPath(raw.a.file) }, b: { ...raw.b, file: displayPath(raw.b.file) } };
    if (typeof ctx.flags.html === "string") writeFileAtomic(ctx.flags.html, renderHtml(d));
    const color = ctx.io.color && (ctx.io !== processIo || Boolean(process.stdout.isTTY));
    ctx.io.out(ctx.flags.json ? JSON.stringify({ ...d, components: prune(d.components, levels) }, null, 2) + "\n" : renderDiff(d, { color, depth: levels }));
    return d.identical ? EXIT.ok : 1;
  },
};
