// In-memory files over the disk: the compiler API's `files` option. A path the map holds is
// read from it (an editor's unsaved buffer shadows the saved file); any other from the disk.
import { resolve } from "node:path";
import { diskHost, type FileHost } from "../resolve/host.js";

export function overlayHost(files: Readonly<Record<string, string>>, root: string): FileHost {
  const mem = new Map(Object.entries(files).map(([p, text]) => [resolve(root, p), text]));
  return {
    read: (path) => mem.get(resolve(path)) ?? diskHost.read(path),
    isFile: (path) => mem.has(resolve(path)) || diskHost.isFile(path),
    realpath: (path) => (mem.has(resolve(path)) ? resolve(path) : diskHost.realpath!(path)),
  };
}
