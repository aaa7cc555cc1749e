// Reading chevrotain's CST: children by key, node ranges, and whether error recovery
// touched a node. After recovery a node may lack children: the accessors throw `Missing`,
// and the builder drops the item or statement being built (the parser already reported it).
import type { CstChildrenDictionary, CstElement, CstNode, IToken } from "chevrotain";

export type Ctx = CstChildrenDictionary;

/** A required part of the CST is absent (error recovery); abandon the enclosing item. */
export class Missing extends Error {}

const isToken = (e: CstElement): e is IToken => "image" in e;
/** Tokens invented by recovery have no position and no text worth keeping. */
const realToken = (t: IToken): boolean => !t.isInsertedInRecovery && Number.isFinite(t.startOffset);

const NONE: never[] = [];

// A key holds only nodes or only tokens unless a label is shared; the arrays are returned
// as they are when nothing needs filtering (most calls: building allocated mostly copies).
export function nodes(ctx: Ctx, key: string): readonly CstNode[] {
  const xs = ctx[key];
  if (xs === undefined) return NONE;
  for (const e of xs) if (isToken(e)) return xs.filter((x): x is CstNode => !isToken(x));
  return xs as CstNode[];
}
export function toks(ctx: Ctx, key: string): readonly IToken[] {
  const xs = ctx[key];
  if (xs === undefined) return NONE;
  for (const e of xs) if (!isToken(e) || !realToken(e)) return xs.filter((x): x is IToken => isToken(x) && realToken(x));
  return xs as IToken[];
}
export function node(ctx: Ctx, key: string): CstNode {
  const n = optNode(ctx, key);
  if (n === undefined) throw new Missing(key);
  return n;
}
export function tok(ctx: Ctx, key: string): IToken {
  const t = optTok(ctx, key);
  if (t === undefined) throw new Missing(key);
  return t;
}
export function optNode(ctx: Ctx, key: string): CstNode | undefined {
  const xs = ctx[key];
  if (xs !== undefined) for (const e of xs) if (!isToken(e)) return e;
  return undefined;
}
export function optTok(ctx: Ctx, key: string): IToken | undefined {
  const xs = ctx[key];
  if (xs !== undefined) for (const e of xs) if (isToken(e) && realToken(e)) return e;
  return undefined;
}

/**
 * A CST node with facts cached on it by `fillRange` (the CST is built per parse and private
 * to it): its source range, and whether recovery patched it.
 */
type Ranged = CstNode & { mmStart?: number; mmEnd?: number; mmRecovered?: boolean };

/**
 * Computes and caches the range of every node under `n` (start = Infinity when it has no
 * real token) and whether recovery skipped or invented tokens in it, not counting nested
 * statements, which are judged on their own.
 */
function fillRange(n: Ranged): void {
  if (n.mmStart !== undefined) return;
  let start = Infinity;
  let end = -Infinity;
  let recovered = n.recoveredNode === true;
  for (const key in n.children) {
    for (const e of n.children[key]!) {
      if (isToken(e)) {
        if (e.isInsertedInRecovery === true) recovered = true;
        if (!realToken(e)) continue;
        if (e.startOffset < start) start = e.startOffset;
        if (e.startOffset + e.image.length > end) end = e.startOffset + e.image.length;
      } else {
        const c = e as Ranged;
        fillRange(c);
        if (c.mmStart! < start) start = c.mmStart!;
        if (c.mmEnd! > end) end = c.mmEnd!;
        if (c.mmRecovered === true && c.name !== "stmt") recovered = true;
      }
    }
  }
  n.mmStart = start;
  n.mmEnd = end;
  n.mmRecovered = recovered;
}

/** Source range of a node from its first to its last real token; null if it has none. */
export function rangeOf(n: CstNode): readonly [number, number] | null {
  const r = n as Ranged;
  fillRange(r);
  return r.mmStart! === Infinity ? null : [r.mmStart!, r.mmEnd!];
}

/** Whether recovery skipped or invented tokens in `n`, not counting nested statements. */
export function hasRecovery(n: CstNode): boolean {
  fillRange(n);
  return (n as Ranged).mmRecovered === true;
}
