// The fidelity cases: the tiny models each reference in refs/ names, and where mm is known
// not to match yet. Read by fidelity.ts (the tier, in two shards), and rendered into
// stdlib/README.md's "Fidelity" section (a test keeps it current; `npm run test:accept` rewrites it).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Session } from "../../compiler/driver/session.js";

export const REFS = join(import.meta.dirname, "refs");

/** `model` may end in `@train`: compiled in training mode (batch statistics), and the
 *  reference runs in train() and also returns its buffers' new values. */
export interface Case {
  readonly family: string;
  readonly model: string;
  /** Symbolic dims the reference fixes (`BIND = {"L": 12}` in refs/<family>.py) where the
   *  defaults (2 or 3) make inputs no real use has, such as 8 vokens in 3 tokens. */
  readonly bind: ReadonlyMap<string, number>;
}

/** Every `MODELS = ["A_Tiny", ...]` line of refs/<family>.py, or those of the families and
 *  models `only` names. */
export function listCases(only?: readonly string[]): Case[] {
  const out: Case[] = [];
  for (const f of readdirSync(REFS).filter((x) => x.endsWith(".py") && !x.startsWith("_")).sort()) {
    const text = readFileSync(join(REFS, f), "utf8");
    const m = /^MODELS = \[(.*)\]$/m.exec(text);
    if (!m) throw new Error(`${f} has no MODELS = [...] line`);
    const b = /^BIND = (\{.*\})$/m.exec(text);
    const bind = new Map(Object.entries(b ? (JSON.parse(b[1]!) as Record<string, number>) : {}));
    for (const name of m[1]!.matchAll(/"(\w+(?:@train)?)"/g)) out.push({ family: f.slice(0, -3), model: name[1]!, bind });
  }
  return only?.length ? out.filter((c) => only.includes(c.family) || only.includes(c.model)) : out;
}

/** Shard `shard` (1-based) of `of` of these cases, for test files that run the tier in
 *  parts: a family's cases stay together (its variants share most of their WebGPU kernels,
 *  which one process compiles once; case by case, a third more kernels were compiled),
 *  families largest first, each to the shard with the fewest cases so far. */
export function shardCases(cases: readonly Case[], shard: number, of: number): Case[] {
  const families = new Map<string, number>();
  for (const c of cases) families.set(c.family, (families.get(c.family) ?? 0) + 1);
  const sizes = new Array<number>(of).fill(0);
  const mine = new Set<string>();
  for (const [family, n] of [...families].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))) {
    const i = sizes.indexOf(Math.min(...sizes));
    sizes[i] = sizes[i]! + n;
    if (i === shard - 1) mine.add(family);
  }
  return cases.filter((c) => mine.has(c.family));
}

/** Where mm does not yet compute (or name) what the official code does, found by these
 *  references; each entry says why. Such a model's comparison must still fail: when a fix
 *  lands, its test fails until the entry goes. The closing notes and stdlib/README.md carry
 *  the same list with the proposed fixes. */
export const KNOWN: Readonly<Record<string, string>> = {};

/** The tiny models whose WebGPU plan the fidelity tier (fidelity.ts) runs with their
 *  reference's own checkpoint (every eval-mode case not KNOWN): test/backends/webgpu/stdlib.test.ts leaves
 *  them to it, where torch is there to run the references. */
export function webGpuRoundTripModels(): Set<string> {
  return new Set(listCases().filter((c) => !c.model.includes("@") && KNOWN[c.model] === undefined).map((c) => c.model));
}

/** A reference's `SOURCE = "..."` line: the official code it follows, in short. */
function source(family: string): string {
  const m = /^SOURCE = "(.*)"/m.exec(readFileSync(join(REFS, `${family}.py`), "utf8"));
  if (!m) throw new Error(`refs/${family}.py has no SOURCE = "..." line`);
  return m[1]!;
}

let session: Session | undefined;
/** Whether a stdlib model declares (or inherits) a layout of that name. */
function declaresLayout(model: string, layout: string): boolean {
  session ??= new Session();
  const { ref, program } = session.findModel(model, session.stdlib());
  const checked = ref ? session.compile(ref, program, {}).checked : undefined;
  return checked?.model.layouts?.some((l) => l.name === layout) ?? false;
}

/** stdlib/README.md's fidelity table: one row per case, its reference and status. */
export function renderFidelityTable(): string {
  const rows = ["| model | reference | follows | matches reference |", "| --- | --- | --- | --- |"];
  for (const c of listCases()) {
    const known = KNOWN[c.model.split("@")[0]!];
    const text = readFileSync(join(REFS, `${c.family}.py`), "utf8");
    const layout = /^LAYOUT = "(\w+)"/m.exec(text)?.[1];
    const viaLayout = layout !== undefined && declaresLayout(c.model.split("@")[0]!, layout);
    const yes = (c.model.endsWith("@train") ? "yes, in train mode (batch statistics, updated buffers)" : "yes")
      + (viaLayout ? `; the official names through the model's \`layout ${layout}\`` : "");
    const status = known === undefined ? yes : `no: ${known}`;
    rows.push(`| ${c.model} | test/fidelity/refs/${c.family}.py | ${source(c.family).replace(/\|/g, "\\|")} | ${status.replace(/\|/g, "\\|")} |`);
  }
  return rows.join("\n") + "\n";
}
