// Imports reach only the project and the stdlib, judged by where a file really is: a symlink
// inside the project to a folder or file outside it (a user's home, /etc/passwd) is refused
// with MM2005 before anything is read, while a link that stays inside the project works.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Session } from "../../compiler/driver/session.js";

const dir = mkdtempSync(join(tmpdir(), "mm-sandbox-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the import sandbox", () => {
  it("refuses links that leave the project, and follows links that stay in it", () => {
    const proj = join(dir, "proj"), outside = join(dir, "outside");
    mkdirSync(join(proj, "real"), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(proj, "package.json"), "{}");
    const block = (name: string): string => `block ${name}(w: Int = 2) {\n  forward(x: [B, w]) -> [B, w] { return x }\n}\n`;
    writeFileSync(join(outside, "secret.mm"), `# a planted secret: hunter2\n${block("Secret")}`);
    writeFileSync(join(proj, "real", "ok.mm"), block("Ok"));
    symlinkSync(outside, join(proj, "lib"));
    symlinkSync(join(outside, "secret.mm"), join(proj, "secret.mm"));
    symlinkSync("/etc/passwd", join(proj, "passwd.mm"));
    symlinkSync(join(proj, "real"), join(proj, "alias"));
    writeFileSync(join(proj, "main.mm"), 'import "lib/secret.mm"\nimport "secret.mm"\nimport "passwd.mm"\nimport "alias/ok.mm"\n');
    const r = new Session().checkFiles([join(proj, "main.mm")]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["MM2005", "MM2005", "MM2005"]);
    expect(r.diagnostics.map((d) => d.message.split(" leaves")[0])).toEqual(["import 'lib/secret.mm'", "import 'secret.mm'", "import 'passwd.mm'"]);
    // Nothing outside was read: neither the planted secret nor /etc/passwd is among the sources.
    expect([...r.sources.keys()].sort()).toEqual([join(proj, "main.mm"), join(proj, "alias", "ok.mm")].sort());
    expect([...r.sources.values()].join("\n")).not.toMatch(/hunter2|root:/);
  });
});
