// The entry bin/mm.js loads for `mm check`, the command run most: the check command alone,
// so a check does not load the backends, the tools and their libraries (a third of the
// start-up of the full CLI). Same dispatch, help and errors as main.ts.
import { check } from "./check.js";
import { makeCli } from "./dispatch.js";

export const { runCliAsync } = makeCli([check], () => "usage: mm check FILE|DIR... (run `mm --help` for every command)\n");
