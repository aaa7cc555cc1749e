// Renders docs/errors.md from the code table and the examples: every code with its title,
// severity, message template, explanation, and a wrong and a fixed program.
// test/diagnostics/docs.test.ts keeps the checked-in file equal to this rendering.
import { ALL_CODES, CODES, exampleFor, type Code } from "./codes.js";

const GROUPS: readonly { readonly prefix: string; readonly title: string }[] = [
  { prefix: "MM1", title: "Syntax (MM1xxx)" },
  { prefix: "MM2", title: "Names and imports (MM2xxx)" },
  { prefix: "MM3", title: "Values and elaboration (MM3xxx)" },
  { prefix: "MM4", title: "Shapes (MM4xxx)" },
  { prefix: "MM5", title: "Model structure (MM5xxx)" },
  { prefix: "MM8", title: "Input files of `mm run` (MM8xxx)" },
  { prefix: "MM9", title: "Internal (MM9xxx)" },
];

/** `text` as inline code, with a fence longer than any run of backticks inside it. */
function inlineCode(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

function block(lang: string, text: string): string {
  return "```" + lang + "\n" + text.trimEnd() + "\n```";
}

function files(label: string, fs: Readonly<Record<string, string>> | undefined): string[] {
  if (!fs) return [];
  return Object.keys(fs).sort().flatMap((name) => [`${label} ${inlineCode(name)}:`, "", block("mm", fs[name]!), ""]);
}

function section(code: Code): string {
  const e = CODES[code];
  const ex = exampleFor(code);
  const out = [
    `### <a id="${code.toLowerCase()}"></a>${code}: ${e.title}`,
    "",
    `**${e.severity}** · message: ${inlineCode(e.template)}`,
    "",
    e.explanation,
    "",
  ];
  if (ex) {
    const sameFiles = ex.fixedFiles === undefined;
    if (ex.limits) out.push(`Both checked with ${ex.limits.map((l) => inlineCode(`--limit ${l}`)).join(" ")}, a small budget for a short example.`, "");
    out.push(`Wrong (\`main.mm\`):`, "", block("mm", ex.wrong), "");
    out.push(...files(sameFiles ? "Next to it," : "Next to it, in the wrong version,", ex.files));
    out.push(`Fixed (\`main.mm\`):`, "", block("mm", ex.fixed), "");
    if (!sameFiles) out.push(...files("Next to it, in the fixed version,", ex.fixedFiles));
  }
  return out.join("\n");
}

export function renderErrorsMarkdown(): string {
  const out = [
    "# Diagnostic codes",
    "",
    "<!-- Generated from compiler/diagnostics/codes.ts and examples.ts by compiler/diagnostics/docs.ts;",
    "     do not edit. `npm run test:accept` rewrites it. -->",
    "",
    "Every diagnostic `mm` reports has a stable code: `MM1xxx` syntax, `MM2xxx` names and imports,",
    "`MM3xxx` values and elaboration, `MM4xxx` shapes, `MM5xxx` model structure, `MM8xxx` input files",
    "of `mm run`, `MM9xxx` internal.",
    "`mm explain CODE` prints the explanation and the examples below. Each wrong example reports its",
    "code and each fixed one checks cleanly; a test runs them all through the compiler.",
    "",
    "Each mistake is said once:",
    "",
    "- The same error arising in several instances of one block (the layers of a stack, two towers",
    "  built from one block) is one diagnostic, with a note `in a.layers.0 and 2 more instances: ...`",
    "  (`instances` in `--json`, present when there are two or more).",
    "- An error inside a stdlib or imported block carries the chain that led there as notes, each",
    "  `in PATH (Block), instantiated here` or `called here`, from the inside out up to the first",
    "  line in the user's own file.",
    "- A statement whose call failed poisons the names it defines; later statements that read them",
    "  report nothing more, so one mistake never cascades into others.",
    "",
    "| code | severity | title |",
    "| --- | --- | --- |",
    ...ALL_CODES.map((c) => `| [${c}](#${c.toLowerCase()}) | ${CODES[c].severity} | ${CODES[c].title} |`),
    "",
  ];
  const other = ALL_CODES.filter((c) => !GROUPS.some((g) => c.startsWith(g.prefix)));
  for (const g of [...GROUPS, { prefix: "", title: "Other" }]) {
    const codes = g.prefix ? ALL_CODES.filter((c) => c.startsWith(g.prefix)) : other;
    if (codes.length === 0) continue;
    out.push(`## ${g.title}`, "");
    for (const c of codes) out.push(section(c));
  }
  return out.join("\n").trimEnd() + "\n";
}
