// Golden files: compared byte for byte; `npm run test:accept` (MM_ACCEPT=1) rewrites them.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { expect } from "vitest";

export const ACCEPT = process.env.MM_ACCEPT === "1";

export function matchGolden(path: string, actual: string): void {
  if (ACCEPT) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) throw new Error(`missing golden file ${path}: run \`npm run test:accept\` and review it`);
  expect(actual, `${path} differs; if the change is intended, run \`npm run test:accept\` and review the diff`).toBe(readFileSync(path, "utf8"));
}
