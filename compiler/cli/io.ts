// Output for the CLI, injectable so tests run commands in-process.
export interface Io {
  out(s: string): void;
  err(s: string): void;
  /** Colour diagnostics (a TTY without NO_COLOR). */
  readonly color: boolean;
  /** stderr is a terminal: progress lines (`\r`) are welcome. */
  readonly tty?: boolean;
}

export const processIo: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  color: Boolean(process.stderr.isTTY) && !process.env.NO_COLOR && process.env.TERM !== "dumb",
  tty: Boolean(process.stderr.isTTY),
};

/** Exit codes, documented in the README and `mm --help`. */
export const EXIT = { ok: 0, diagnostics: 1, usage: 2, internal: 3 } as const;

export class UsageError extends Error {}

/** A clean error that is neither a usage error nor a bug: printed as `mm: message`, no
 *  stack, with its own exit code (the webgpu target lacks an op: 1; no GPU adapter: 2). */
export class UserError extends Error {
  constructor(message: string, readonly exit: number) {
    super(message);
  }
}
