// What scripts/playground.mjs's esbuild plugins provide: the stdlib's files by path, and a .mm
// file's text.
declare module "virtual:stdlib" {
  const files: Readonly<Record<string, string>>;
  export default files;
}
declare module "*.mm" {
  const text: string;
  export default text;
}
