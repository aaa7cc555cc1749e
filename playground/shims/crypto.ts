// node:crypto for the playground's worker: only ONNX local functions hash, which the
// playground never asks for.
export function createHash(): never {
  throw new Error("the playground does not write ONNX functions");
}
