// How a component is coloured and labelled. Multimodal ideas often sit below the level a
// diagram draws (experts inside a decoder layer, cross-attention fusion inside a text
// layer), so a stack takes the kind its layers share, and a closed box names the experts
// and fusion blocks it holds (and takes their colour for its border).
import { allParams, type ElaboratedModel, type Instance } from "../../elaborate/instance.js";
import { isTrainable } from "../../elaborate/stages.js";

/** Whether a component's parameters are trained: all, some, none, or it has none. */
export type Training = "trained" | "partly" | "frozen" | "ema" | "none";

/** Kinds with a colour of their own. */
const COLOURED = new Set(["tower", "fusion", "experts", "head", "loss"]);
/** Kinds a closed box reports when it holds them. */
const NOTED = ["experts", "fusion"] as const;

export function trainingOf(model: ElaboratedModel, inst: Instance): Training {
  if (inst.ema) return "ema";
  const ps = allParams(inst).filter((p) => !p.ema);
  if (ps.length === 0) return allParams(inst).length ? "ema" : "none";
  const t = ps.filter((p) => isTrainable(model, p)).length;
  return t === ps.length ? "trained" : t === 0 ? "frozen" : "partly";
}

/** The kind drawn: an EMA copy is `ema`; a stack whose layers share a coloured kind has it. */
export function kindOf(inst: Instance): string {
  if (inst.ema) return "ema";
  if (inst.kind === "stack") {
    const kinds = new Set([...inst.children.values()].map((c) => c.kind));
    const k = [...kinds][0];
    if (kinds.size === 1 && k !== undefined && COLOURED.has(k)) return k;
  }
  return inst.kind;
}

/** The kind line of a box or cluster: `stack of 4 fusion`, `experts`, `EMA teacher copy`. */
export function kindText(inst: Instance): string {
  if (inst.ema) return "EMA teacher copy";
  if (inst.kind === "stack") {
    const k = kindOf(inst);
    return `stack of ${inst.children.size}${k !== "stack" ? ` ${k}` : ""}`;
  }
  return inst.kind;
}

export interface Inside {
  /** `2 experts blocks, 1 fusion block`: the outermost ones below, by kind. */
  readonly text: string;
  /** The first of them, whose colour the box's border takes. */
  readonly kind: string;
}

/** The experts and fusion blocks below a component that its own kind does not say. */
export function insideOf(inst: Instance): Inside | undefined {
  const own = kindOf(inst);
  const counts = new Map<string, number>();
  const walk = (i: Instance): void => {
    for (const c of i.children.values()) {
      const k = c.ema ? "ema" : c.kind;
      if ((NOTED as readonly string[]).includes(k)) counts.set(k, (counts.get(k) ?? 0) + 1);
      else walk(c);
    }
  };
  if (!(NOTED as readonly string[]).includes(own)) walk(inst);
  const found = NOTED.filter((k) => counts.has(k));
  if (!found.length) return undefined;
  return { text: found.map((k) => `${counts.get(k)} ${k} block${counts.get(k) === 1 ? "" : "s"}`).join(", "), kind: found[0]! };
}
