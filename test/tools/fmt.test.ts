// `mm fmt`: the canonical layout, idempotence, comments kept, the stdlib and examples
// formatted, and formatting never changing a parsed file or an elaborated model.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Session } from "../../compiler/driver/session.js";
import { allParams } from "../../compiler/elaborate/instance.js";
import { PACKAGE_ROOT } from "../../compiler/base/package.js";
import { diskHost, listMmFiles, STDLIB_ROOT, type FileHost } from "../../compiler/resolve/host.js";
import { formatText } from "../../compiler/tools/fmt/index.js";
import { parseFile } from "../../grammar/index.js";
import { mm } from "../helpers.js";

const EXAMPLES = join(PACKAGE_ROOT, "examples");
const FILES = [...listMmFiles(STDLIB_ROOT), ...listMmFiles(EXAMPLES)];

function fmt(text: string, path = "t.mm"): string {
  const r = formatText(path, text);
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join("; "));
  return r.text;
}

/** The same tokens, laid out badly: no indentation, and `{` moved onto its own line. */
function scramble(text: string): string {
  return text.split("\n").map((l) => {
    const s = l.trimStart();
    return !s.startsWith("#") && /\S\s*\{$/.test(s) ? s.replace(/\s*\{$/, "\n{") : s;
  }).join("\n");
}

/** The same tokens crammed: every line without a comment joined to the next one (the
 *  grammar ignores line breaks), so whole declarations end up on one line. */
function cram(text: string): string {
  return text.split("\n").map((l) => l.trim()).reduce((acc, l) => {
    const lastLine = acc.slice(acc.lastIndexOf("\n") + 1);
    return acc === "" ? l : lastLine.includes("#") ? `${acc}\n${l}` : `${acc} ${l}`;
  }, "");
}

function withoutSpans(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutSpans);
  if (v && typeof v === "object") {
    const isSpan = (x: unknown): boolean => typeof x === "object" && x !== null && "file" in x && "start" in x && "end" in x;
    return Object.fromEntries(Object.entries(v).filter(([k, x]) => k !== "path" && !isSpan(x)).map(([k, x]) => [k, withoutSpans(x)]));
  }
  return v;
}

describe("layout", () => {
  it("indents, spaces operators, joins `{` and keeps comments", () => {
    const src = [
      "# header",
      "",
      "",
      "## doc of Foo",
      "block Foo(a:Int,b : Int=2)",
      "where a%b==0",
      "{",
      "",
      "      param w:[a,b*2] init zeros   # trailing",
      "  forward(x:[B,a])->[B,a]{",
      "  let y=x[:,0]+ -1",
      "   return x*-1.0 ** 2   # aligned",
      "     }",
      "",
      "}",
      "block Bar {  }",
      "",
    ].join("\n");
    expect(fmt(src)).toBe([
      "# header",
      "",
      "## doc of Foo",
      "block Foo(a: Int, b: Int = 2)",
      "  where a % b == 0 {",
      "  param w: [a, b * 2] init zeros   # trailing",
      "  forward(x: [B, a]) -> [B, a] {",
      "    let y = x[:, 0] + -1",
      "    return x * -1.0 ** 2 # aligned",
      "  }",
      "}",
      "",
      "block Bar {}",
      "",
    ].join("\n"));
  });

  it("aligns wrapped arguments after their bracket and indents hanging ones", () => {
    const src = "model M {\n  x = F(a,\n b)\n  y = G(\n c)\n  forward {\n  }\n}\n";
    expect(fmt(src)).toBe("model M {\n  x = F(a,\n        b)\n  y = G(\n    c)\n  forward {\n  }\n}\n");
  });

  it("breaks a crammed declaration into one member per line, comments kept", () => {
    const src = "# head\nblock B(d: Int) { param w: [d]; forward(x: [N, d]) -> [N, d] { let y = x * w; if d > 1 { return y } return x } }   # tail\n" +
      "model M { b = B(4); input x: [N, 4]\n  forward { output y = b(x) } task t { outputs: y } } block E {}\n";
    const want = [
      "# head",
      "block B(d: Int) {",
      "  param w: [d];",
      "  forward(x: [N, d]) -> [N, d] {",
      "    let y = x * w;",
      "    if d > 1 { return y }",
      "    return x",
      "  }",
      "}   # tail",
      "",
      "model M {",
      "  b = B(4);",
      "  input x: [N, 4]",
      "  forward {",
      "    output y = b(x)",
      "  }",
      "  task t { outputs: y }",
      "}",
      "",
      "block E {}",
      "",
    ].join("\n");
    expect(fmt(src)).toBe(want);
    expect(fmt(want)).toBe(want);
    expect(fmt(src.replace(/\n/g, "\r\n"))).toBe(want);
  });

  it("refuses a file with a syntax error", () => {
    const r = formatText("bad.mm", "block X( {\n");
    expect(r.ok).toBe(false);
  });
});

describe("stdlib and examples", () => {
  it("`mm fmt --check stdlib examples` passes", () => {
    const r = mm("fmt", "--check", STDLIB_ROOT, EXAMPLES);
    expect(r.out).toBe("");
    expect(r.code).toBe(0);
  });

  it("formatting is idempotent, also from a badly laid-out copy", () => {
    for (const f of FILES) {
      const text = readFileSync(f, "utf8");
      const once = fmt(text, f);
      expect(fmt(once, f), f).toBe(once);
      const fromScrambled = fmt(scramble(text), f);
      expect(fmt(fromScrambled, f), f).toBe(fromScrambled);
      const fromCrammed = fmt(cram(text), f);
      expect(fmt(fromCrammed, f), f).toBe(fromCrammed);
    }
  });

  it("a crammed stdlib file formats to one member per line, with the same AST", () => {
    for (const f of FILES) {
      const crammed = cram(readFileSync(f, "utf8"));
      const before = parseFile(f, crammed);
      expect(before.diagnostics, f).toEqual([]);
      const out = fmt(crammed, f);
      const after = parseFile(f, out);
      expect(withoutSpans(after.ast), f).toEqual(withoutSpans(before.ast));
      // every declaration, and every member of a declaration's body, starts a line
      const startsLine = (offset: number): boolean => out.slice(out.lastIndexOf("\n", offset - 1) + 1, offset).trim() === "";
      for (const d of after.ast.decls) {
        expect(startsLine(d.span.start), `${f}: ${d.name.name}`).toBe(true);
        if (d.kind !== "Block") continue;
        for (const item of d.items) expect(startsLine(item.span.start), `${f}: ${d.name.name}`).toBe(true);
      }
    }
  });

  it("formatting never changes a file's AST (docs included)", () => {
    for (const f of FILES) {
      const text = scramble(readFileSync(f, "utf8"));
      const before = parseFile(f, text);
      const after = parseFile(f, fmt(text, f));
      expect(after.diagnostics, f).toEqual([]);
      expect(withoutSpans(after.ast), f).toEqual(withoutSpans(before.ast));
    }
  });

  it("formatting a scrambled stdlib gives the same elaborated models", () => {
    const fmtHost: FileHost = {
      read(path) {
        const t = diskHost.read(path);
        return t !== undefined && path.endsWith(".mm") ? fmt(scramble(t), path) : t;
      },
      isFile: diskHost.isFile,
    };
    const summary = (s: Session): string[] => {
      const program = s.stdlib();
      return s.models(program).map((ref) => {
        const r = s.compile(ref, program);
        const params = r.checked ? allParams(r.checked.model.root).map((p) => `${p.path}:${p.shape.map(String).join(",")}:${p.dtype}`) : [];
        const diags = r.diagnostics.map((d) => `${d.code} ${d.message}`);
        return `${ref.name}\n${params.join("\n")}\n${diags.join("\n")}\n${r.checked?.graph?.outputs.length ?? -1}`;
      });
    };
    const plain = summary(new Session());
    expect(plain.length).toBeGreaterThan(20);
    expect(summary(new Session(fmtHost))).toEqual(plain);
  }, 120_000);

  it("`mm fmt` rewrites a file in place, and --check lists it", () => {
    const dir = mkdtempSync(join(tmpdir(), "mm-fmt-"));
    const f = join(dir, "a.mm");
    writeFileSync(f, "block A(n:Int){\nparam w:[n] init zeros\n}\n");
    const check = mm("fmt", "--check", f);
    expect(check.code).toBe(1);
    expect(check.out).toBe(`${f}\n`);
    expect(mm("fmt", f).code).toBe(0);
    expect(readFileSync(f, "utf8")).toBe("block A(n: Int) {\n  param w: [n] init zeros\n}\n");
    expect(mm("fmt", "--check", f).code).toBe(0);
  });
});
