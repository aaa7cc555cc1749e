// `mm run --inputs FILE` and `--save OUT`: arrays numpy wrote (.npy, .npz stored and
// deflated, Fortran order, float64 and int64) read exactly; outputs saved as .npz that numpy
// reads back, and as JSON; a saved file fed to the next model gives what the whole pipeline
// gives; and every problem with a file as its coded diagnostic. Runs use onnxruntime's CPU
// provider. The numpy half skips loudly without /usr/bin/python3 and numpy, and fails under CI=true.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { runCliAsync } from "../../compiler/cli/main.js";
import { Session } from "../../compiler/driver/session.js";
import { readTensorFile, npyValues, type FileArray } from "../../compiler/tools/tensor-file.js";
import { project } from "../helpers.js";

const PYTHON = "/usr/bin/python3";
const proj = project({
  "small.mm": `model Small {
  param w: [6, 8] init normal(std: 0.5)
  param table: [10, 8] init normal(std: 1.0)
  input x: [B, 4, 8]
  input ids: [B, T] int64
  input mask: [B, T] bool
  forward {
    output h = relu(linear(x, w, none))
    output e = where(mask, sum(embedding(ids, table), axes: [-1]), 0.0)
  }
}
`,
  "pipe.mm": `model Enc {
  input x: [B, 3]
  forward { output h = x * 2.0 + 1.0 }
}
model Dec {
  input h: [B, 3]
  forward { output y = tanh(h) }
}
model Full {
  input x: [B, 3]
  forward { output y = tanh(x * 2.0 + 1.0) }
}
`,
});
const path = proj.path;
afterAll(() => rmSync(proj.root, { recursive: true, force: true }));
const session = new Session();

async function mm(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "", err = "";
  const code = await runCliAsync(args, { out: (s) => (out += s), err: (s) => (err += s), color: false }, session);
  return { code, out, err };
}
const run = (...args: string[]) => mm("run", path("small.mm"), "--backend", "onnxruntime", ...args);
/** The output lines of `mm run` (the header names the inputs file, which differs). */
const lines = (out: string): string => out.split("\n").filter((l) => / checksum /.test(l)).join("\n");
const json = (name: string, doc: unknown): string => (writeFileSync(path(name), JSON.stringify(doc)), path(name));

/** Whether numpy imports; warns loudly when skipping, fails under CI=true. */
function numpyOrSkip(): boolean {
  const r = spawnSync(PYTHON, ["-c", "import numpy"], { encoding: "utf8" });
  if (r.status === 0) return true;
  if (process.env.CI === "true") throw new Error(`numpy is required under CI=true: ${r.stderr || r.error?.message}`);
  console.warn("SKIPPING the numpy half of test/cli/run-files.test.ts: /usr/bin/python3 cannot import numpy (apt-get install python3-numpy)");
  return false;
}

function python(code: string): string {
  const r = spawnSync(PYTHON, ["-c", code], { encoding: "utf8", cwd: proj.root });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

const X = Array.from({ length: 2 * 4 * 8 }, (_, k) => (k % 7) / 4 - 0.5); // exact in float32
const IDS = [[1, 2, 3], [9, 0, 4]];
const MASK = [[true, false, true], [true, true, false]];
/** Row-major values as nested arrays of `shape`. */
const nest = (flat: readonly number[], shape: readonly number[]): unknown => {
  if (shape.length === 1) return flat.slice(0, shape[0]);
  const block = shape.slice(1).reduce((a, d) => a * d, 1);
  return Array.from({ length: shape[0]! }, (_, i) => nest(flat.slice(i * block, (i + 1) * block), shape.slice(1)));
};

describe("mm run --inputs with numpy's files", () => {
  const have = numpyOrSkip();
  const NUMPY_INPUTS = `
import numpy as np
x = ((np.arange(64) % 7) / 4 - 0.5).reshape(2, 4, 8)
ids = np.array(${JSON.stringify(IDS)}, dtype=np.int64)
mask = np.array(${JSON.stringify(MASK).replace(/true/g, "True").replace(/false/g, "False")})
np.savez("in.npz", x=x.astype(np.float32), ids=ids, mask=mask)
np.savez_compressed("in-deflated.npz", x=x, ids=ids.astype(np.int32), mask=mask)   # float64, int32
np.save("fortran.npy", np.asfortranarray(x.astype(np.float32)))
np.save("scalar.npy", np.float32(1.5))
`;

  it.skipIf(!have)("reads .npy (C and Fortran order, a scalar) and .npz (stored and deflated) exactly", () => {
    python(NUMPY_INPUTS);
    const values = (a: FileArray | undefined): number[] => (a?.kind === "npy" ? [...npyValues(a.array)] : []);
    for (const f of ["in.npz", "in-deflated.npz"]) {
      const arrays = readTensorFile(path(f));
      expect([...arrays.keys()], f).toEqual(["x", "ids", "mask"]);
      expect(values(arrays.get("x")), f).toEqual(X);
      expect(values(arrays.get("ids")), f).toEqual(IDS.flat());
      expect(values(arrays.get("mask")), f).toEqual(MASK.flat().map(Number));
    }
    const fortran = readTensorFile(path("fortran.npy")).get("")!;
    expect(fortran.kind === "npy" && fortran.array.shape).toEqual([2, 4, 8]);
    expect(values(fortran)).toEqual(X);
    const scalar = readTensorFile(path("scalar.npy")).get("")!;
    expect(scalar.kind === "npy" && [scalar.array.shape, values(scalar)]).toEqual([[], [1.5]]);
  });

  it.skipIf(!have)("runs on them as on the same values in JSON, binding B and T from their shapes", async () => {
    python(NUMPY_INPUTS);
    const viaJson = await run("--inputs", json("in.json", { x: nest(X, [2, 4, 8]), ids: IDS, mask: MASK }));
    expect(viaJson.err).toBe("");
    expect(viaJson.code).toBe(0);
    expect(viaJson.out).toContain("B=2 (from x), T=3 (from ids)");
    for (const f of ["in.npz", "in-deflated.npz"]) {
      const r = await run("--inputs", path(f));
      expect([f, r.code, r.err]).toEqual([f, 0, ""]);
      expect(lines(r.out), f).toBe(lines(viaJson.out));
    }
  });

  it.skipIf(!have)("a .npy file feeds a one-input model, and is refused for a model with more", async () => {
    python(NUMPY_INPUTS + 'np.save("x23.npy", np.array([[0.5, -1, 2], [0, 0.25, 3]]))\n');
    const npy = await mm("run", `${path("pipe.mm")}#Enc`, "--backend", "onnxruntime", "--inputs", path("x23.npy"));
    const same = await mm("run", `${path("pipe.mm")}#Enc`, "--backend", "onnxruntime", "--inputs", json("x23.json", { x: [[0.5, -1, 2], [0, 0.25, 3]] }));
    expect([npy.code, npy.err]).toEqual([0, ""]);
    expect(lines(npy.out)).toBe(lines(same.out));
    const r = await run("--inputs", path("fortran.npy"));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error MM8001: .*a .npy file holds one array, and Small has 3 inputs \(x, ids, mask\)/);
  });

  it.skipIf(!have)("--save OUT.npz: numpy reads back the shapes, dtypes and values mm printed", async () => {
    const r = await run("--inputs", json("in2.json", { x: nest(X, [2, 4, 8]), ids: IDS, mask: MASK }), "--save", path("out.npz"));
    expect(r.code).toBe(0);
    expect(r.out).toContain(`wrote ${path("out.npz")}: 2 output(s)`);
    const py = python(`
import numpy as np
d = np.load("out.npz")
for k in d.files: print(k, list(d[k].shape), d[k].dtype, "%.6g" % d[k].astype(np.float64).sum())
`);
    const mine = lines(r.out).split("\n").map((l) => /^(\S+) \[([\d, ]*)\] (\w+) checksum (\S+)\//.exec(l)!).map((m) => `${m[1]} [${m[2]}] ${m[3]} ${Number(m[4])}`);
    expect(py.trim().split("\n").map((l) => l.replace(/ (\S+)$/, (_, s: string) => ` ${Number(s)}`))).toEqual(mine);
  });
});

describe("mm run --save and --inputs, round trip", () => {
  it("a saved output fed to the next model gives what the whole pipeline gives (.npz and JSON)", async () => {
    const x = json("x.json", { x: [[0.5, -1, 2], [0, 0.25, "NaN"]] });
    const full = await mm("run", `${path("pipe.mm")}#Full`, "--backend", "onnxruntime", "--inputs", x);
    expect(full.code).toBe(0);
    for (const ext of ["npz", "json"]) {
      const saved = path(`h.${ext}`);
      const enc = await mm("run", `${path("pipe.mm")}#Enc`, "--backend", "onnxruntime", "--inputs", x, "--save", saved);
      expect([ext, enc.code, enc.err]).toEqual([ext, 0, ""]);
      const dec = await mm("run", `${path("pipe.mm")}#Dec`, "--backend", "onnxruntime", "--inputs", saved);
      expect([ext, dec.code, dec.err]).toEqual([ext, 0, ""]);
      expect(lines(dec.out), ext).toBe(lines(full.out));
    }
    // JSON keeps the NaN as the string numpy's readers and --inputs both take
    expect(readFileSync(path("h.json"), "utf8")).toBe("{\n  \"h\": [[2, -1, 5], [1, 1.5, \"NaN\"]]\n}\n");
    expect(readTensorFile(path("h.npz")).get("h")!.kind).toBe("npy");
  });

  it("writes the same bytes twice", async () => {
    const x = json("x2.json", { x: [[1, 2, 3]] });
    for (const f of ["a.npz", "b.npz"]) expect((await mm("run", `${path("pipe.mm")}#Enc`, "--backend", "onnxruntime", "--inputs", x, "--save", path(f))).code).toBe(0);
    expect(readFileSync(path("a.npz")).equals(readFileSync(path("b.npz")))).toBe(true);
  });
});

describe("mm run --inputs: coded diagnostics and usage errors", () => {
  const good = { x: nest(X, [2, 4, 8]), ids: IDS, mask: MASK };
  const cases: readonly [string, unknown, string, RegExp][] = [
    ["unknown", { ...good, idz: IDS }, "MM8002", /Small has no input 'idz'\n {2}hint: did you mean 'ids'\? its inputs: x, ids, mask/],
    ["missing", { x: good.x, ids: IDS }, "MM8003", /gives no value for input 'mask' of Small\n {2}hint: --random-missing/],
    ["shape", { ...good, ids: [[1, 2, 3, 4], [5, 6, 7, 8]], mask: [[true], [false]] }, "MM8004", /input 'mask' has shape \[2, 1\]; Small expects \[2, 4\]\n {2}hint: the model declares \[B, T\] with B = 2 \(from x\), T = 4 \(from ids\)/],
    ["dtype", { ...good, ids: [[1, 2.5, 3], [1, 2, 3]] }, "MM8005", /input 'ids' is JSON numbers that are not all integers; Small expects int64/],
    ["ragged", { ...good, x: [[1, 2], [3]] }, "MM8001", /'x'\[1\]: 1 items where the first row at this depth has 2/],
    ["not-object", [1, 2], "MM8001", /an object keyed by input name/],
  ];
  for (const [name, doc, code, message] of cases) {
    it(`${code}: ${name}`, async () => {
      const r = await run("--inputs", json(`${name}.json`, doc));
      expect(r.code).toBe(1);
      expect(r.err).toContain(`error ${code}`);
      expect(r.err).toMatch(message);
    });
  }

  it("--random-missing fills a missing input with the values of a random run", async () => {
    const r = await mm("run", `${path("pipe.mm")}#Enc`, "--backend", "onnxruntime", "--inputs", json("empty.json", {}), "--random-missing", "--seed", "5");
    expect(r.code).toBe(0);
    expect(r.out).toContain("inputs " + path("empty.json") + " (1 random, seed 5)");
    const plain = await mm("run", `${path("pipe.mm")}#Enc`, "--backend", "onnxruntime", "--seed", "5");
    expect(lines(r.out)).toBe(lines(plain.out));
    // one input given, the other random: the random one is what a plain run draws for it
    const some = await run("--inputs", json("some.json", { x: good.x }), "--random-missing", "--bind", "T=3", "--seed", "5");
    expect(some.code).toBe(0);
    expect(some.out).toContain("(2 random, seed 5)");
  });

  it("refuses other files and flags with a usage error (exit 2)", async () => {
    writeFileSync(path("in.txt"), "");
    for (const args of [["--inputs", path("in.txt")], ["--inputs", path("nope.npz")], ["--save", path("out.bin")], ["--random-missing"], ["--save", path("no/such/dir/o.npz")]]) {
      const r = await run(...args);
      expect([args.join(" "), r.code]).toEqual([args.join(" "), 2]);
    }
  });

  it("refuses a file that is not what its name says (MM8001)", async () => {
    writeFileSync(path("bad.npy"), "not numpy");
    writeFileSync(path("bad.npz"), "not a zip");
    for (const [f, message] of [["bad.npy", /the array: not a .npy array/], ["bad.npz", /not a readable .npz \(zip\)/]] as const) {
      const r = await mm("run", `${path("pipe.mm")}#Enc`, "--backend", "onnxruntime", "--inputs", path(f));
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/error MM8001: cannot read inputs from this file: /);
      expect(r.err).toMatch(message);
    }
  });
});
