// The names every file sees before its own: ops, compile-time functions, dtypes,
// and the file's declarations and imports.
import { DTYPES } from "../check/tensor.js";
import { OPS } from "../ops/index.js";
import type { FileScope } from "../resolve/scope.js";
import { isBuiltinFn } from "./builtins.js";
import type { Env } from "./env.js";
import type { Value } from "./values.js";

const BUILTIN_NAMES = ["int", "float", "len", "range", "round", "ceil", "floor", "min", "max", "sqrt", "abs", "log", "exp"];

export function builtinValue(name: string): Value | undefined {
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
  const env: Env = {
    lookup(name) {
      const ref = scope.names.get(name);
      if (ref) {
        const d = ref.decl;
        if (d.kind === "Block") return { k: "block", decl: d, scope: ref.home, bound: new Map() };
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
