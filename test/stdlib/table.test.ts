// stdlib/README.md's table is generated; this fails when it is stale.
import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Session } from "../../compiler/driver/session.js";
import { renderStdlibTable, stdlibRows } from "../../compiler/tools/stdlib-table.js";
import { ACCEPT } from "../golden/golden.js";

const PATH = "stdlib/README.md";

describe("stdlib table", () => {
  it("is up to date", () => {
    const text = readFileSync(PATH, "utf8");
    const start = text.indexOf("<!-- table:start -->\n");
    const end = text.indexOf("<!-- table:end -->");
    expect(start).toBeGreaterThan(0);
    const rows = stdlibRows(new Session());
    const fresh = text.slice(0, start) + "<!-- table:start -->\n" + (rows.length ? renderStdlibTable(rows) : "") + text.slice(end);
    if (ACCEPT) writeFileSync(PATH, fresh);
    else expect(text, "stdlib/README.md is stale: run `npm run test:accept`").toBe(fresh);
    expect(rows.filter((r) => r.match === "no" || r.match === "error").map((r) => r.name)).toEqual([]);
  });
});
