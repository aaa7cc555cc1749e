// The examples of docs/language.md must parse: the reference and the grammar stay in step.
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { diags } from "./helpers.js";

const doc = readFileSync(new URL("../../docs/language.md", import.meta.url), "utf8");

/** Code blocks, with the elision `{ ... }` emptied and a bare forward put into a block. */
const blocks = [...doc.matchAll(/```\w*\n([\s\S]*?)```/g)].map((m) => {
  const text = m[1]!.replace(/\{ \.\.\. \}/g, "{ }");
  return /^forward\b/.test(text) ? `block T(width: Int, kv_width: Int) {\n${text}}\n` : text;
});

test("the reference has code blocks", () => {
  expect(blocks.length).toBeGreaterThan(3);
});

test.each(blocks.map((b) => [b.split("\n")[0]!, b]))("code block starting %s", (_, text) => {
  expect(diags(text)).toEqual([]);
});

/** The first column of the body-item table, without elided rows like `forward(...) -> ...`. */
const section = doc.slice(doc.indexOf("### Body items"), doc.indexOf("\n## ", doc.indexOf("### Body items")));
const rows = section.split("\n").filter((l) => l.startsWith("| `"))
  .flatMap((l) => [...l.split("|")[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!))
  .filter((item) => !item.includes("..."));

test("the body-item table has rows", () => {
  expect(rows.length).toBeGreaterThan(8);
});

test.each(rows)("body item %s", (item) => {
  const kind = /^route\b/.test(item) ? "experts" : /^(input|task|stage)\b|= ema\(/.test(item) ? "model" : "block";
  expect(diags(`${kind} T {\n  ${item}\n}`)).toEqual([]);
});
