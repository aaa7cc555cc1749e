// The names every file sees before its own: ops, compile-time functions, dtypes,
// and the file's declarations and imports.
import { DTYPES } from "../base/tensor.js";
import { OPS } from "../ops/index.js";
import type { FileScope } from "../resolve/scope.js";
import { isBuiltinFn } from "./builtins.js";
import type { Env } from "./env.js";
import type { Value } from "./values.js";

const BUILTIN_NAMES = ["int", "float", "len", "range", "round", "ceil", "floor", "min", "max", "sqrt", "abs", "log", "exp"];

/** Values are immutable, so each builtin name's value is made once (forward bodies look up
 *  op names at every call). Only builtins are kept: the table is bounded by the op table,
 *  whatever names a program (or a long `--watch` session) looks up. */
const builtinCache = new Map<string, Value>();

export function builtinValue(name: string): Value | undefined {
  const hit = builtinCache.get(name);
  if (hit) return hit;
  const v = makeBuiltin(name);
  if (v) builtinCache.set(name, v);
  return v;
}

/** How many builtins are cached (a test bounds it). */
export function builtinCacheSize(): number {
  return builtinCache.size;
}

function makeBuiltin(name: string): Value | undefined {
  if (OPS.has(name)) return { k: "op", name };
  if (isBuiltinFn(name)) return { k: "fn", name };
  if ((DTYPES as readonly string[]).includes(name)) return { k: "dtype", v: name as (typeof DTYPES)[number] };
  if (name === "pi") return { k: "float", v: Math.PI };
  if (name === "inf") return { k: "float", v: Infinity };
  return undefined;
}

const cache = new WeakMap<FileScope, Env>();

export function fileEnv(scope: FileScope): Env {
  const hit = cache.get(scope);
  if (hit) return hit;
  const blocks = new Map<string, Value>(); // one value per block name (values are immutable)
  const env: Env = {
    lookup(name) {
      const ref = scope.names.get(name);
      if (ref) {
        const d = ref.decl;
        if (d.kind === "Block") {
          const b = blocks.get(name);
          if (b?.k === "block" && b.decl === d && b.scope === ref.home) return b;
          const v: Value = { k: "block", decl: d, scope: ref.home, bound: new Map() };
          blocks.set(name, v);
          return v;
        }
        if (d.kind === "Enum") return { k: "enumType", decl: d };
        return undefined; // variants are models, addressed by name from the CLI, not values
      }
      return builtinValue(name);
    },
    names() {
      return [...scope.names.keys(), ...OPS.keys(), ...BUILTIN_NAMES, ...DTYPES, "pi", "inf"];
    },
  };
  cache.set(scope, env);
  return env;
}
