// Check-only tracing memoizes calls: two instances with the same structure (declaration,
// arguments, parameter shapes, children), called with the same argument types, produce the
// same result types, so the second call is not traced again. A language model's 32
// identical layers are checked once. Backends need every node, so compiles never memoize.
import type { EvArg } from "../elaborate/eval.js";
import type { Instance } from "../elaborate/instance.js";
import { emaSource } from "../elaborate/ema.js";
import { templateKey } from "../elaborate/memo.js";
import { formatValue, type Value } from "../elaborate/values.js";
import { formatTensorType, type TensorType } from "../base/tensor.js";

/** Structure strings → ids, one table per declaration (a stack's is its first layer's):
 *  a table goes with the declarations it describes, so a long `--watch` session, which
 *  re-parses files at every edit, does not keep every round's strings. Ids are never reused. */
const ids = new WeakMap<object, Map<string, number>>();
let nextId = 0;
const keys = new WeakMap<Instance, number>();
/** Declarations by identity: two files may declare different blocks of one name. */
const declIds = new WeakMap<object, number>();
let nextDecl = 0;

function declId(inst: Instance): number {
  if (!inst.decl) return -1;
  let id = declIds.get(inst.decl);
  if (id === undefined) declIds.set(inst.decl, (id = nextDecl++));
  return id;
}

/** A small integer that is equal for structurally equal instance subtrees. */
export function instanceKey(inst: Instance): number {
  const hit = keys.get(inst);
  if (hit !== undefined) return hit;
  if (inst.template) return instanceKey(inst.template); // a copy has its template's structure
  // An EMA teacher computes what its student does (its parameters follow the student's, with
  // the same shapes): a call of one has the result types of the same call of the other.
  const student = emaSource(inst);
  if (student) return instanceKey(student);
  // A template is summed up by its declaration and bound arguments (elaborate/memo.ts).
  const tk = templateKey(inst);
  const parts = tk !== undefined ? [`@${tk}`] : [
    inst.kind, inst.declName, declId(inst),
    [...inst.args].map(([k, v]) => `${k}=${formatValue(v)}`).join(","),
    inst.params.map((p) => `${p.name}:${p.shape.join("x")}:${p.dtype}`).join(","),
    (inst.absentParams ?? []).join(","),
    [...inst.children].map(([k, c]) => `${k}#${instanceKey(c)}`).join(","),
  ];
  const s = parts.join("|");
  const owner = tableOwner(inst);
  let table = ids.get(owner);
  if (!table) ids.set(owner, (table = new Map()));
  let id = table.get(s);
  if (id === undefined) table.set(s, (id = nextId++));
  keys.set(inst, id);
  return id;
}

/** The declaration whose table holds an instance's structure string: its own, or for a stack
 *  (which has none) its first layer's, down to a block. */
function tableOwner(inst: Instance): object {
  let i: Instance | undefined = inst;
  while (i && !i.decl) i = i.children.values().next().value;
  return i?.decl ?? STACKS;
}
const STACKS = {};

/** The key of one call, or undefined when an argument cannot be summarised safely. */
export function callKey(inst: Instance, args: readonly EvArg[]): string | undefined {
  let key = String(instanceKey(inst));
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const v = summary(a.value);
    if (v === undefined) return undefined;
    key += a.name === undefined ? `;=${v}` : `;${a.name}=${v}`;
  }
  return key;
}

/** Tensor types by object: a memoized call's results are new values of the remembered types,
 *  so the same type objects come back as arguments again and again. */
const typeKeys = new WeakMap<TensorType, string>();

function typeKey(t: TensorType): string {
  let k = typeKeys.get(t);
  if (k === undefined) typeKeys.set(t, (k = `T${formatTensorType(t)}`));
  return k;
}

function summary(v: Value): string | undefined {
  switch (v.k) {
    case "tensor": return typeKey(v.t.type);
    case "instance": case "instances": case "block": case "record": case "tuple": return undefined;
    case "list": {
      const xs = v.items.map(summary);
      return xs.every((x) => x !== undefined) ? `[${xs.join(",")}]` : undefined;
    }
    default: return formatValue(v);
  }
}
