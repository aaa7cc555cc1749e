// The examples of docs/language.md must parse: the reference and the grammar stay in step.
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { diags } from "./helpers.js";

const doc = readFileSync(new URL("../../docs/language.md", import.meta.url), "utf8");

test.each([...doc.matchAll(/```\w*\n([\s\S]*?)```/g)].map((m) => [m[1]!.split("\n")[0]!, m[1]!]))(
  "code block starting %s",
  (_, text) => {
    expect(diags(text)).toEqual([]);
  },
);

/** The first column of the body-item table, each wrapped in a declaration that admits it. */
const rows = [...doc.matchAll(/^\| `([^`]+)`(?: \/ `([^`]+)`)? \|/gm)].flatMap((m) => [m[1]!, m[2]].filter((x): x is string => x !== undefined));

test("the body-item table has rows", () => {
  expect(rows.length).toBeGreaterThan(8);
});

test.each(rows)("body item %s", (item) => {
  const kind = /^route\b/.test(item) ? "experts"
    : /^(input|task|stage)\b|= ema\(/.test(item) ? "model"
    : "block";
  expect(diags(`${kind} T {\n  ${item}\n}`)).toEqual([]);
});
