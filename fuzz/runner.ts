// Runs fuzzer programs through the CLI in a worker thread (worker.ts) and judges the
// results: `mm check main.mm`, and when it passes `mm params`, `mm summary` and `mm compile
// -o out.onnx`. A failure is an internal compiler error (exit 3 or its message), a JS stack
// trace in the output, a command that runs past the time limit (the worker is terminated),
// or the worker's death (out of memory past its heap limit, or anything else). One worker
// serves program after program; a failure costs it its life and the next program gets a
// fresh one.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { modelOf, writeProgram, type Program } from "./program.js";
import type { Job, Reply } from "./worker.js";

export type FailureClass = "ice" | "stack-overflow" | "trace" | "hang" | "oom" | "crash";

export interface CommandResult {
  readonly command: string;
  readonly argv: readonly string[];
  /** The exit code; undefined when the worker was terminated or died. */
  readonly code?: number;
  readonly out: string;
  readonly err: string;
  readonly ms: number;
}

export interface Failure {
  readonly class: FailureClass;
  readonly command: string;
  /** One line saying what happened. */
  readonly message: string;
  /** class, command and what identifies the bug: failures with one signature are one bug. */
  readonly signature: string;
  readonly output: string;
}

export interface ProgramResult {
  readonly results: readonly CommandResult[];
  readonly failure?: Failure;
  readonly ms: number;
}

export interface RunnerOptions {
  /** The worker script (a build of fuzz/worker.ts). */
  readonly workerFile: string | URL;
  /** The longest a command may run (default 2000 ms). */
  readonly timeoutMs?: number;
  /** The worker's old-generation heap limit (default 1024 MiB). */
  readonly heapMb?: number;
}

type Outcome = { kind: "done"; reply: Reply } | { kind: "timeout"; ms: number } | { kind: "died"; error: string; oom: boolean; ms: number };

// The main thread's JS stack is V8's default, 984 KiB; a worker's V8 limit is its thread
// stack less 192 KiB. This makes the worker overflow where `mm` itself would.
const STACK_MB = (984 + 192) / 1024;

export class Runner {
  private worker?: Worker;
  private ready?: Promise<Worker>;
  private nextId = 0;
  private nextDir = 0;
  private readonly base = mkdtempSync(join(tmpdir(), "mm-fuzz-"));
  readonly timeoutMs: number;

  constructor(private readonly opts: RunnerOptions) {
    this.timeoutMs = opts.timeoutMs ?? 2000;
  }

  /** Runs a program's commands; stops at the first failure or at a check that fails. */
  async run(p: Program): Promise<ProgramResult> {
    const dir = join(this.base, `p${this.nextDir++}`);
    writeProgram(dir, p);
    const main = join(dir, "main.mm");
    const model = modelOf(p);
    const spec = model ? `${main}#${model}` : main;
    const commands: string[][] = [["check", main], ["params", spec, "--depth", "2"], ["summary", spec], ["compile", spec, "-o", join(dir, "out.onnx")]];
    const results: CommandResult[] = [];
    let failure: Failure | undefined;
    const t0 = performance.now();
    try {
      for (const argv of commands) {
        const r = await this.command(argv);
        results.push(r.result);
        failure = r.failure && { ...r.failure, signature: signature(r.failure, p) };
        // Without a model (a library file, a mutant cut short) the other commands have nothing to do.
        if (failure || (argv[0] === "check" && (r.result.code !== 0 || !model))) break;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return { results, ms: performance.now() - t0, ...(failure ? { failure } : {}) };
  }

  /** Terminates the worker and removes the temporary folder. */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    if (w) await w.terminate();
    rmSync(this.base, { recursive: true, force: true });
  }

  private async command(argv: readonly string[]): Promise<{ result: CommandResult; failure?: Omit<Failure, "signature"> }> {
    const command = argv[0]!;
    const o = await this.call(argv);
    if (o.kind === "timeout") {
      return { result: { command, argv, out: "", err: "", ms: o.ms }, failure: { class: "hang", command, message: `ran past ${this.timeoutMs} ms`, output: "" } };
    }
    if (o.kind === "died") {
      return { result: { command, argv, out: "", err: "", ms: o.ms }, failure: { class: o.oom ? "oom" : "crash", command, message: o.error, output: o.error } };
    }
    const { code, out, err, ms } = o.reply;
    const result: CommandResult = { command, argv, code, out, err, ms };
    const text = out + err;
    const cls = classify(code, text);
    if (!cls) return { result };
    // The worker may be in a bad state after an internal error (a stack overflow mid-way): retire it.
    await this.retire();
    return { result, failure: { class: cls, command, message: describe(cls, code, text), output: text } };
  }

  private start(): Promise<Worker> {
    this.ready ??= new Promise<Worker>((resolve, reject) => {
      const w = new Worker(this.opts.workerFile, {
        resourceLimits: { maxOldGenerationSizeMb: this.opts.heapMb ?? 1024, stackSizeMb: STACK_MB },
        env: { ...process.env, MM_DEBUG: "1", NO_COLOR: "1" },
        stdout: true,
        stderr: true,
      });
      w.stdout.resume();
      w.stderr.resume();
      w.on("error", () => {}); // reported by the command that was running (call's own listener)
      const onError = (e: Error): void => reject(e);
      w.once("error", onError);
      w.once("message", (m: unknown) => {
        w.off("error", onError);
        if (m === "ready") resolve(w);
        else reject(new Error(`fuzz worker: unexpected first message ${String(m)}`));
      });
      this.worker = w;
    });
    return this.ready;
  }

  private async retire(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    if (w) await w.terminate();
  }

  /** One command in the worker, with the time limit. */
  private async call(argv: readonly string[]): Promise<Outcome> {
    const w = await this.start();
    const id = this.nextId++;
    const t0 = performance.now();
    const outcome = await new Promise<Outcome>((resolve) => {
      const done = (o: Outcome): void => {
        clearTimeout(timer);
        w.off("message", onMessage);
        w.off("error", onError);
        w.off("exit", onExit);
        resolve(o);
      };
      const onMessage = (m: Reply): void => { if (m.id === id) done({ kind: "done", reply: m }); };
      const onError = (e: Error & { code?: string }): void => done({ kind: "died", error: `${e.code ?? e.name}: ${e.message}`, oom: e.code === "ERR_WORKER_OUT_OF_MEMORY", ms: performance.now() - t0 });
      const onExit = (code: number): void => done({ kind: "died", error: `worker exited with code ${code}`, oom: false, ms: performance.now() - t0 });
      const timer = setTimeout(() => done({ kind: "timeout", ms: performance.now() - t0 }), this.timeoutMs);
      w.on("message", onMessage);
      w.on("error", onError);
      w.on("exit", onExit);
      const job: Job = { id, argv };
      w.postMessage(job);
    });
    if (outcome.kind !== "done") await this.retire();
    return outcome;
  }
}

/** A JS stack frame (`    at f (file:1:2)`) or an uncaught error's first line. */
const FRAME = /^\s+at (?:.+ \()?(?:file:|node:|\/|<anonymous>).*:\d+:\d+\)?$/m;
const THROWN = /^(?:[A-Z]\w*)?Error: /m;

export function classify(code: number, text: string): FailureClass | undefined {
  if (code === 3 || /internal compiler error/i.test(text)) return /Maximum call stack size exceeded/.test(text) ? "stack-overflow" : "ice";
  if (FRAME.test(text) || THROWN.test(text)) return "trace";
  if (![0, 1, 2].includes(code)) return "crash";
  return undefined;
}

function describe(cls: FailureClass, code: number, text: string): string {
  const ice = /internal compiler error: (.*)/.exec(text)?.[1];
  if (ice !== undefined) return `exit ${code}: internal compiler error: ${ice.slice(0, 200)}`;
  const line = text.split("\n").find((l) => FRAME.test(l) || THROWN.test(l)) ?? text.split("\n")[0] ?? "";
  return `exit ${code} (${cls}): ${line.trim().slice(0, 200)}`;
}

/** Function names of the stack that MM_DEBUG=1 prints: for an overflow, those that repeat
 *  near the top (the recursion), else the top frame. */
function frames(text: string): string {
  const names = [...text.matchAll(/^\s+at (?:new )?([\w$.<>]+) \(/gm)].map((m) => m[1]!).slice(0, 10);
  if (/Maximum call stack/.test(text)) return [...new Set(names.filter((n, i) => names.indexOf(n) !== i))].sort().join(",");
  return names[0] ?? "";
}

function signature(f: Omit<Failure, "signature">, p: Program): string {
  const msg = f.message.replace(/'[^']*'|"[^"]*"/g, "Q").replace(/\d+/g, "N").slice(0, 120);
  if (f.class === "ice" || f.class === "stack-overflow" || f.class === "trace") return `${f.class}|${f.command}|${msg}|${frames(f.output)}`;
  // Hangs and deaths leave no stack: tell them apart by what went into the program.
  // (A mutant's one size-changing mutation, repeatLine, is told apart from the others.)
  const kinds = p.tags.some((t) => t.startsWith("mutant:")) ? ["mutant", ...p.tags.filter((t) => t === "repeatLine").slice(0, 1)]
    : [...new Set(p.tags.map((t) => t.split(":")[0]!))].sort();
  return `${f.class}|${f.command}|${kinds.join(",")}`;
}
