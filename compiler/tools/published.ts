// Published parameter figures, read from a model's `## published:` doc line, and the check
// that a computed count rounds to one (see stdlib/CONVENTIONS.md).

export interface Published {
  /** The figure as written: `151.28M`, `~210M`, `3.1M trainable`. */
  readonly text: string;
  readonly value: number;
  /** `about`/`~` figures match within 5%; exact ones at their printed precision. */
  readonly approximate: boolean;
  /** The count the figure is of: the total, the trainable parameters, or the parameters
   *  under some paths (`85M of encoder`, `87.4M of vilt.encoder + vilt.pooler`). */
  readonly of: "total" | "trainable" | { readonly paths: readonly string[] };
  readonly source: string;
  readonly precision: number;
}

const UNITS: Readonly<Record<string, number>> = { K: 1e3, M: 1e6, B: 1e9 };

export function parsePublished(doc: string | undefined): Published | "none" | undefined {
  const line = doc?.split("\n").find((l) => /^published:/i.test(l.trim()));
  if (!line) return undefined;
  const rest = line.trim().slice("published:".length).trim();
  if (/^none\b/i.test(rest)) return "none";
  const m = /^(~|about\s+)?(\d+(?:\.(\d+))?)\s*([KMB])(\s+trainable)?(?:\s+of\s+([\w.*]+(?:\s*\+\s*[\w.*]+)*))?\s*(?:\((.*)\))?/i.exec(rest);
  if (!m) return undefined;
  const paths = m[6]?.split("+").map((p) => p.trim());
  const unit = UNITS[m[4]!.toUpperCase()]!;
  return {
    text: `${m[1] ? "~" : ""}${m[2]}${m[4]!.toUpperCase()}${m[5] ? " trainable" : ""}${paths ? ` of ${paths.join(" + ")}` : ""}`,
    value: Number(m[2]) * unit,
    approximate: Boolean(m[1]),
    of: paths ? { paths } : m[5] ? "trainable" : "total",
    source: (m[7] ?? "").trim(),
    precision: 0.5 * 10 ** -(m[3]?.length ?? 0) * unit,
  };
}

export function matchesPublished(count: number, p: Published): boolean {
  return p.approximate ? Math.abs(count - p.value) <= 0.05 * p.value : Math.abs(count - p.value) <= p.precision + 1e-9;
}
