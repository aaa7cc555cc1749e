// The fidelity cases: the tiny models each reference in refs/ names, and where mm is known
// not to match yet. Read by fidelity.test.ts, and rendered into stdlib/README.md's
// "Fidelity" section (a test keeps it current; `npm run test:accept` rewrites it).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const REFS = join(import.meta.dirname, "refs");

/** `model` may end in `@train`: compiled in training mode (batch statistics), and the
 *  reference runs in train() and also returns its buffers' new values. */
export interface Case { readonly family: string; readonly model: string }

/** Every `MODELS = ["A_Tiny", ...]` line of refs/<family>.py. */
export function listCases(only = process.env.MM_FIDELITY?.split(",").filter(Boolean)): Case[] {
  const out: Case[] = [];
  for (const f of readdirSync(REFS).filter((x) => x.endsWith(".py") && !x.startsWith("_")).sort()) {
    const m = /^MODELS = \[(.*)\]$/m.exec(readFileSync(join(REFS, f), "utf8"));
    if (!m) throw new Error(`${f} has no MODELS = [...] line`);
    for (const name of m[1]!.matchAll(/"(\w+(?:@train)?)"/g)) out.push({ family: f.slice(0, -3), model: name[1]! });
  }
  return only ? out.filter((c) => only.includes(c.family) || only.includes(c.model)) : out;
}

/** Where mm does not yet compute (or name) what the official code does, found by these
 *  references; each entry says why. Such a model's comparison must still fail: when a fix
 *  lands, its test fails until the entry goes. The closing notes and stdlib/README.md carry
 *  the same list with the proposed fixes. */
export const KNOWN: Readonly<Record<string, string>> = {
  CoCa_Base_Tiny: "the layout differs from OpenCLIP's CoCa (class token, proj, text_projection, a separate cross_attn stack, pad masking)",
  CoCa_Tiny: "as CoCa_Base_Tiny",
  VLMo_Base_Tiny: "expert names mlp.imag/norm2.text where the official code has mlp_imag/norm2_text; no pooler; position_ids buffer",
  VLMo_Large_Tiny: "as VLMo_Base_Tiny",
  VLMo_Base_Pretrain_Tiny: "as VLMo_Base_Tiny (the numbers match once renamed)",
  VLMo_Large_Pretrain_Tiny: "as VLMo_Base_Tiny",
  MaPLe_Tiny: "compound_prompts_text is one tensor; the official nn.ParameterList names compound_prompts_text.0, .1, ... (the numbers match row by row)",
  CDUL_Tiny: "the similarity temperature (the reproduction: / logit_scale) and the KL direction differ from the cited reproduction",
  AVAD_Tiny: "the sync transformer's nn.Sequential children (layers.N.0/1, net.0/3, mlp_head.0/1) have names in mm; ConvCompress lacks its conv child",
  SlowFast_R50_8x8_Tiny: "blocks are pathway0_res.0 where PySlowFast has pathway0_res0 (the numbers match once renamed)",
  VideoSwin_T_Tiny: "relative_position_index is a checkpoint buffer mm computes inline (the numbers match)",
  VideoSwin_S_Tiny: "as VideoSwin_T_Tiny",
  VideoSwin_B_Tiny: "as VideoSwin_T_Tiny",
  MetaTransformer_B16_Tiny: "video positions are a fixed sinusoid table (mm: learned); OpenPoints' label smoothing is eps/(C-1) off-class; Point-MAE's nn.Sequential names; time-series buffers",
  MetaTransformer_L14_Tiny: "as MetaTransformer_B16_Tiny",
  MiniGPT5_Tiny: "the resized vocabulary tables are split in two (img_token_embeddings, img_token_lm_head); joined, the logits and the text loss match; the tiny inputs put the 8 vokens past the text's end, where the official code truncates and mm reads zeros",
};

/** A reference's `SOURCE = "..."` line: the official code it follows, in short. */
function source(family: string): string {
  const m = /^SOURCE = "(.*)"/m.exec(readFileSync(join(REFS, `${family}.py`), "utf8"));
  if (!m) throw new Error(`refs/${family}.py has no SOURCE = "..." line`);
  return m[1]!;
}

/** stdlib/README.md's fidelity table: one row per case, its reference and status. */
export function renderFidelityTable(): string {
  const rows = ["| model | reference | follows | matches reference |", "| --- | --- | --- | --- |"];
  for (const c of listCases(undefined)) {
    const known = KNOWN[c.model.split("@")[0]!];
    const status = known === undefined ? (c.model.endsWith("@train") ? "yes, in train mode (batch statistics, updated buffers)" : "yes") : `no: ${known}`;
    rows.push(`| ${c.model} | test/fidelity/refs/${c.family}.py | ${source(c.family).replace(/\|/g, "\\|")} | ${status.replace(/\|/g, "\\|")} |`);
  }
  return rows.join("\n") + "\n";
}
