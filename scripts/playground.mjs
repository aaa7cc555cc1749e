// The playground: `npm run playground:build` writes dist/playground/ (a static folder anyone
// can host: index.html, main.js, worker.js, the stylesheet); `npm run playground` builds and
// serves it on http://127.0.0.1:8080 (PORT to change). The worker bundles the compiler for the
// browser: node:fs becomes an in-memory tree holding the stdlib (playground/shims/fs.ts),
// node:path path-browserify, node:url, node:crypto and node:worker_threads small shims. Written to a temporary
// folder and renamed into place.
import { createServer } from "node:http";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, copyFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build, stop } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "playground");
const out = join(root, "dist", "playground");

function mmFiles(dir) {
  return readdirSync(dir).sort().flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? mmFiles(p) : e.endsWith(".mm") ? [p] : [];
  });
}

/** `virtual:stdlib`: every stdlib file's text by the path the worker's compiler reads it at. */
const stdlib = {
  name: "stdlib",
  setup(b) {
    b.onResolve({ filter: /^virtual:stdlib$/ }, () => ({ path: "stdlib", namespace: "virtual" }));
    b.onLoad({ filter: /.*/, namespace: "virtual" }, () => {
      const files = Object.fromEntries(mmFiles(join(root, "stdlib")).map((f) => [`/stdlib/${relative(join(root, "stdlib"), f)}`, readFileSync(f, "utf8")]));
      return { contents: JSON.stringify(files), loader: "json" };
    });
  },
};

export async function buildPlayground(dest = out) {
  const tmp = `${dest}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const common = { bundle: true, format: "esm", platform: "browser", target: "es2022", minify: true, logLevel: "warning", loader: { ".mm": "text" } };
  await build({
    ...common, entryPoints: [join(src, "worker.ts")], outfile: join(tmp, "worker.js"), plugins: [stdlib],
    alias: { "node:path": "path-browserify", "node:fs": join(src, "shims", "fs.ts"), "node:url": join(src, "shims", "url.ts"), "node:crypto": join(src, "shims", "crypto.ts"), "node:worker_threads": join(src, "shims", "worker_threads.ts") },
  });
  await build({ ...common, entryPoints: [join(src, "main.ts")], outfile: join(tmp, "main.js") });
  // esbuild's service process (80 MiB) would otherwise live as long as this one: beside the
  // browser in the playground test, for one.
  await stop();
  for (const f of ["index.html", "playground.css"]) copyFileSync(join(src, f), join(tmp, f));
  rmSync(dest, { recursive: true, force: true });
  renameSync(tmp, dest);
  return dest;
}

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json" };

/** Serves a built playground folder; resolves with the server once it listens. */
export function servePlayground(dir = out, port = 0) {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const file = join(dir, path === "/" ? "index.html" : path);
    if (!file.startsWith(dir) || !existsSync(file) || statSync(file).isDirectory()) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": TYPES[/\.\w+$/.exec(file)?.[0] ?? ""] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  return new Promise((done) => server.listen(port, "127.0.0.1", () => done(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = await buildPlayground();
  console.log(`wrote ${relative(process.cwd(), dir)}/`);
  if (process.argv.includes("--serve")) {
    const server = await servePlayground(dir, Number(process.env.PORT ?? 8080));
    console.log(`serving the playground on http://127.0.0.1:${server.address().port}/ (Ctrl-C to stop)`);
  }
}
