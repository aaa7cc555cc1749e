// Wrong and fixed programs for each diagnostic code (see codes.ts).
import type { CodeExample } from "./codes.js";

export const EXAMPLES: Readonly<Record<string, CodeExample>> = {};
