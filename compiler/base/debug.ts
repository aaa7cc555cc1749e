// Debugging switches read from the environment once, where there is one (not in a browser).

const env: Readonly<Record<string, string | undefined>> =
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};

/** MM_VERIFY_EACH=1: verify the IR after every pass, not only at the ends of a pipeline. */
export const VERIFY_EACH = env.MM_VERIFY_EACH === "1";
