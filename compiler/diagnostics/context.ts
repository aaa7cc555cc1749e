// Where a diagnostic arose in the model, not only in the text. A mistake inside a stdlib or
// imported block is reported at that block's line; the chain of instantiations (or calls)
// that led there, back to the first one written in the user's own file, becomes notes, so
// the user sees which of their lines to change. The instance path goes with it: when the
// same error arises in several instances of one block (a stack of layers, two towers), the
// collector keeps one diagnostic and lists the instances.
import type { Span } from "../ast/ast.js";
import type { Diagnostic, Related } from "./diagnostic.js";

/** One step of the chain: `path` (an instance of `declName`) was made or called at `span`. */
export interface ContextLink {
  readonly span: Span;
  readonly path: string;
  readonly declName: string;
}

/** How many instance paths a collapsed diagnostic lists by name. */
export const MAX_LISTED_INSTANCES = 8;

const sameSpan = (a: Span, b: Span): boolean => a.file === b.file && a.start === b.start && a.end === b.end;

/**
 * The diagnostic with its chain (`links`, innermost first, as far out as the model) as notes,
 * and `instance` as where it arose. The user's file is the outermost link's; links are noted
 * from the inside out up to the first written there. A diagnostic already in that file needs
 * no chain: its own line is the user's.
 */
export function withContext(d: Diagnostic, links: readonly ContextLink[], verb: "instantiated" | "called", instance?: string): Diagnostic {
  const withInstance = instance !== undefined && instance !== "" && d.instances === undefined ? { ...d, instances: [instance] } : d;
  const user = links[links.length - 1]?.span.file;
  if (user === undefined || d.span.file === user) return withInstance;
  const notes: Related[] = [];
  for (const l of links) {
    if (sameSpan(l.span, d.span)) continue; // the error is reported at this very instantiation
    notes.push({ span: l.span, message: `in \`${l.path || l.declName}\` (${l.declName}), ${verb} here` });
    if (l.span.file === user) break;
  }
  return notes.length ? { ...withInstance, related: [...d.related, ...notes] } : withInstance;
}

/** `d` with `more`'s instances added: the same error from another instance of its block. */
export function mergeInstances(d: Diagnostic, more: Diagnostic): Diagnostic {
  if (!more.instances?.length) return d;
  const have = new Set(d.instances ?? []);
  const added = more.instances.filter((p) => !have.has(p));
  return added.length ? { ...d, instances: [...(d.instances ?? []), ...added] } : d;
}

/** The instances line under a diagnostic: `in enc.layers.0 and 3 more instances: ...`. */
export function describeInstances(paths: readonly string[]): string | undefined {
  if (paths.length < 2) return undefined;
  const [first, ...rest] = paths;
  const listed = rest.slice(0, MAX_LISTED_INSTANCES).map((p) => `\`${p}\``).join(", ");
  const unlisted = rest.length - Math.min(rest.length, MAX_LISTED_INSTANCES);
  return `in \`${first}\` and ${rest.length} more instance${rest.length === 1 ? "" : "s"}: ${listed}${unlisted ? `, and ${unlisted} more` : ""}`;
}
