// The edge: turns spans into file:line:col and caret frames, or JSON.
import { relative } from "node:path";
import type { Span } from "../ast/ast.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { diagnosticData, positionOf, type DiagnosticData } from "../diagnostics/data.js";
import { describeInstances } from "../diagnostics/context.js";

export function displayPath(file: string): string {
  const r = relative(process.cwd(), file);
  return r === "" ? file : r.startsWith("..") ? file : r;
}

function where(span: Span, sources: ReadonlyMap<string, string>): string {
  const text = sources.get(span.file);
  if (text === undefined) return displayPath(span.file);
  const p = positionOf(text, span.start);
  return `${displayPath(span.file)}:${p.line}:${p.column}`;
}

interface Colors {
  red(s: string): string;
  yellow(s: string): string;
  blue(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

const wrap = (code: string) => (s: string): string => `\x1b[${code}m${s}\x1b[0m`;
export const COLOR: Colors = { red: wrap("31"), yellow: wrap("33"), blue: wrap("34"), bold: wrap("1"), dim: wrap("2") };
export const PLAIN: Colors = { red: (s) => s, yellow: (s) => s, blue: (s) => s, bold: (s) => s, dim: (s) => s };

const FRAME_BEFORE = 60;
const FRAME_WIDTH = 160;

function frame(span: Span, sources: ReadonlyMap<string, string>, c: Colors, mark: (s: string) => string): string[] {
  const text = sources.get(span.file);
  if (text === undefined) return [];
  const p = positionOf(text, span.start);
  const lineStart = span.start - (p.column - 1);
  let lineEnd = text.indexOf("\n", lineStart);
  if (lineEnd < 0) lineEnd = text.length;
  // A frame quotes a bounded window of its line (a minified or hostile file's line may be
  // megabytes): up to FRAME_BEFORE characters before the span and FRAME_WIDTH in all.
  const from = lineEnd - lineStart <= FRAME_WIDTH ? lineStart : Math.max(lineStart, span.start - FRAME_BEFORE);
  const to = Math.min(lineEnd, from + FRAME_WIDTH);
  const head = from > lineStart ? "…" : "";
  const line = head + text.slice(from, to).replace(/\t/g, " ") + (to < lineEnd ? "…" : "");
  const width = Math.max(1, Math.min(span.end, to) - span.start);
  const gutter = String(p.line);
  const pad = " ".repeat(gutter.length);
  return [
    `${c.dim(`${gutter} |`)} ${line}`,
    `${c.dim(`${pad} |`)} ${" ".repeat(head.length + span.start - from)}${mark("^".repeat(width))}`,
  ];
}

export function renderDiagnostic(d: Diagnostic, sources: ReadonlyMap<string, string>, c: Colors = PLAIN): string {
  const sev = d.severity === "error" ? c.red(c.bold("error")) : c.yellow(c.bold("warning"));
  const mark = d.severity === "error" ? c.red : c.yellow;
  const out = [`${where(d.span, sources)}: ${sev} ${c.bold(d.code)}: ${d.message}`, ...frame(d.span, sources, c, mark)];
  for (const r of d.related) {
    out.push(`  ${c.blue("note")}: ${where(r.span, sources)}: ${r.message}`);
    out.push(...frame(r.span, sources, c, c.blue).map((l) => "  " + l));
  }
  const inst = d.instances ? describeInstances(d.instances) : undefined;
  if (inst) out.push(`  ${c.blue("note")}: ${inst}`);
  if (d.hint) out.push(`  ${c.bold("hint")}: ${d.hint}`);
  return out.join("\n");
}

export function diagnosticJson(d: Diagnostic, sources: ReadonlyMap<string, string>): DiagnosticData {
  return diagnosticData(d, sources, displayPath);
}
