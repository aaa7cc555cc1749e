// What the ONNX model says about where it came from: metadata_props (model, mm version,
// task, weights, outputs, per-stage trainable/frozen parameters, EMA sources), sorted by
// key so bytes are stable. Doc strings (`examples/clip.mm:54`) come from ir/model.ts's locate.
import { VERSION } from "../../base/package.js";
import type { IrModel } from "../../ir/model.js";
import { weightsLabel, type WeightsMode } from "../../ir/weights.js";

export function metadataProps(model: IrModel, weights: WeightsMode): { key: string; value: string }[] {
  const ir = model.graph;
  const live = ir.params.filter((p) => !p.ema && !p.buffer).map((p) => p.path);
  const buffers = ir.params.filter((p) => p.buffer).map((p) => p.path);
  const stages = model.stages.map((s) => {
    const trained = new Set(s.trained);
    return { name: s.name, tasks: s.tasks, trainable: live.filter((p) => trained.has(p)), frozen: live.filter((p) => !trained.has(p)) };
  });
  const ema = Object.fromEntries(ir.params.filter((p) => p.ema).map((p) => [p.path, p.ema]));
  const props: Record<string, string> = {
    "mm.model": model.name,
    "mm.version": VERSION,
    "mm.task": ir.task ?? "",
    "mm.weights": weightsLabel(weights),
    "mm.outputs": JSON.stringify(ir.outputs.map((o) => ({ name: o.name, kind: o.kind }))),
    "mm.params": JSON.stringify(ir.params.filter((p) => !p.buffer).map((p) => p.path)),
    ...(buffers.length ? { "mm.buffers": JSON.stringify(buffers) } : {}),
    "mm.stages": JSON.stringify(stages),
    ...(Object.keys(ema).length ? { "mm.ema": JSON.stringify(ema) } : {}),
    ...(model.variantOf ? { "mm.variant_of": model.variantOf } : {}),
  };
  return Object.keys(props).sort().map((key) => ({ key, value: props[key]! }));
}
