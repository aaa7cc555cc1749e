// The CLI's output helpers: which errors are the file system's, and byte counts for people.
// Writes go through base/atomic.ts.

/** An error from the file system (ENOENT, EACCES, ENOSPC...): the user's to fix. */
export function isFsError(e: unknown): e is Error & { code: string } {
  const code: unknown = e instanceof Error ? (e as Error & { code?: unknown }).code : undefined;
  return typeof code === "string" && /^E[A-Z]+$/.test(code);
}

/** A byte count for people: 512 B, 1.50 KiB, 23.4 MiB, 151 MiB. */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024, u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[u]}`;
}
