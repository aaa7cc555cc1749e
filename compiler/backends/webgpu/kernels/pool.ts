// Pooling as map ops: each output element loops over its window of the input (the last
// n dims are spatial; leading dims index the output as they are). The input is stored,
// not inlined (inlinesInputs: false), since every window reads it at many coordinates.
// Semantics are the ONNX lowering's (compiler/backends/onnx/lower/conv.ts): max pooling
// skips padding; average pooling counts it (count_include_pad, PyTorch's default), so the
// divisor is the kernel volume; adaptive windows are PyTorch's
// [floor(i·L/o), ceil((i+1)·L/o)).
import type { MapEmitter, MapOp, MapOps } from "./map.js";
import { literal } from "./wgsl.js";

function attrList(e: MapEmitter, name: string, n: number): number[] {
  const v = e.node.attrs[name];
  if (!Array.isArray(v)) throw new Error(`${e.node.op}: attribute ${name} is not a list`);
  const xs = v.map(Number);
  return Array.from({ length: n }, (_, i) => xs[xs.length === 1 ? 0 : i]!);
}

/** Emits nested loops over the window; `visit` gets the input coordinates inside them. */
function overWindow(e: MapEmitter, n: number, adaptive: boolean, visit: (at: string[]) => void): string[] {
  const x = e.inputTensor(0)!;
  const lead = x.shape.length - n;
  const L = x.shape.slice(lead), O = e.out.shape.slice(lead);
  const kernel = adaptive ? [] : attrList(e, "kernel", n);
  const stride = adaptive ? [] : e.node.attrs.stride == null ? kernel : attrList(e, "stride", n);
  const pad = adaptive ? [] : attrList(e, "padding", n);
  const spatial: string[] = [], lens: string[] = [], heads: string[] = [];
  for (let d = 0; d < n; d++) {
    const oc = e.coords[lead + d]!, k = e.fresh("k");
    if (adaptive) {
      // Bounds first, outside the loops: the divisor reads them after the loops close.
      const s = e.fresh("ws"), t = e.fresh("we");
      e.line(`let ${s} = (${oc} * ${L[d]}) / ${O[d]};`);
      e.line(`let ${t} = ((${oc} + 1) * ${L[d]} + ${O[d]! - 1}) / ${O[d]};`);
      heads.push(`for (var ${k} = ${s}; ${k} < ${t}; ${k}++) {`);
      spatial.push(k);
      lens.push(`(${t} - ${s})`);
    } else {
      const ic = e.fresh("ic");
      heads.push(`for (var ${k} = 0; ${k} < ${kernel[d]}; ${k}++) {`,
        `let ${ic} = ${oc} * ${stride[d]} - ${pad[d]} + ${k};`, `if (${ic} < 0 || ${ic} >= ${L[d]}) { continue; }`);
      spatial.push(ic);
    }
  }
  for (const h of heads) e.line(h);
  visit([...e.coords.slice(0, lead), ...spatial]);
  for (let d = 0; d < n; d++) e.line("}");
  return adaptive ? lens : kernel.map(String);
}

function maxPool(n: number): MapOp {
  return {
    inlinesInputs: false,
    emit(e) {
      const acc = e.fresh("mx");
      e.line(`var ${acc} = ${literal(-Infinity, e.outType)};`);
      overWindow(e, n, false, (at) => e.line(`${acc} = max(${acc}, ${e.input(0, at, e.outType)});`));
      return acc;
    },
  };
}

function avgPool(n: number, adaptive: boolean): MapOp {
  return {
    inlinesInputs: false,
    emit(e) {
      const acc = e.fresh("sm");
      e.line(`var ${acc} = 0.0f;`);
      const lens = overWindow(e, n, adaptive, (at) => e.line(`${acc} += ${e.input(0, at, "f32")};`));
      return `${acc} / f32(${lens.join(" * ")})`;
    },
  };
}

export const POOL_OPS: MapOps = {
  max_pool1d: maxPool(1), max_pool2d: maxPool(2), max_pool3d: maxPool(3),
  avg_pool1d: avgPool(1, false), avg_pool2d: avgPool(2, false), avg_pool3d: avgPool(3, false),
  adaptive_avg_pool1d: avgPool(1, true), adaptive_avg_pool2d: avgPool(2, true), adaptive_avg_pool3d: avgPool(3, true),
};
