// The fuzzer's program source: program `index` of a run with seed `seed` is a function of
// those two numbers alone (a seeded mulberry32, never Math.random), drawn either from the
// grammar-aware generator (grammar.ts) or as a mutant of a stdlib or example file
// (mutate.ts).
import { grammarProgram } from "./grammar.js";
import { mutantProgram } from "./mutate.js";
import type { Program } from "./program.js";
import { programSeed, Rng } from "./rng.js";

export { Rng, programSeed } from "./rng.js";
export type { Program } from "./program.js";

/** Program `index` of the run with `seed`; `root` is the package root (for the corpus). */
export function generate(seed: number, index: number, root: string): Program {
  const r = new Rng(programSeed(seed, index));
  return r.chance(0.6) ? grammarProgram(r) : mutantProgram(r, root);
}
