// node:url for the playground's worker: a bundle's import.meta.url is http(s), read as a path.
export const fileURLToPath = (u: string | URL): string => new URL(String(u)).pathname;
export const pathToFileURL = (p: string): URL => new URL(`file://${p}`);
