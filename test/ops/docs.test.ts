import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { renderOpsMarkdown } from "../../compiler/ops/docs.js";
import { OPS } from "../../compiler/ops/index.js";

const path = fileURLToPath(new URL("../../docs/ops.md", import.meta.url));

it("docs/ops.md is up to date with the op table", () => {
  const text = renderOpsMarkdown();
  if (process.env.MM_ACCEPT === "1") {
    writeFileSync(path, text);
    return;
  }
  let current = "";
  try {
    current = readFileSync(path, "utf8");
  } catch {
    // a missing file is stale too
  }
  expect(current === text, "docs/ops.md is stale: run `npm run test:accept` (MM_ACCEPT=1 npx vitest run test/ops/docs.test.ts)").toBe(true);
});

it("every op is documented", () => {
  const text = renderOpsMarkdown();
  for (const name of OPS.keys()) expect(text).toContain(`| \`${name}\` |`);
});
