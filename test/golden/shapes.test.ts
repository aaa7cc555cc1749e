// `mm shapes` of every model of every example, as golden files.
import { readdirSync } from "node:fs";
import { basename } from "node:path";
import { describe, it } from "vitest";
import { Session } from "../../compiler/driver/session.js";
import { mm } from "../helpers.js";
import { matchGolden } from "./golden.js";

const session = new Session();
const examples = readdirSync("examples").filter((f) => f.endsWith(".mm")).sort();

describe("mm shapes (golden)", () => {
  for (const file of examples) {
    const models = session.models(session.load([`examples/${file}`])).map((m) => m.name);
    for (const model of models) {
      it(`${file}#${model}`, () => {
        const r = mm("shapes", `examples/${file}#${model}`);
        matchGolden(`test/golden/shapes/${basename(file, ".mm")}.${model}.txt`, `exit: ${r.code}\n${r.err}${r.out}`);
      });
    }
  }
});
