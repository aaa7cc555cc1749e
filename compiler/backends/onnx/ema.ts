// The EMA update graph (`mm compile --task ema_update`): for every parameter of an EMA
// teacher copy (`teacher = ema(student, momentum: m)`),
//
//   <teacher path>.updated = m * <teacher path> + (1 - m) * <student path>
//
// Inputs are the student parameters (first, in teacher order, each once) and then the
// teacher parameters, named by path; m and 1 - m are scalar initializers, one pair per
// momentum and dtype. Integer and bool parameters (nothing to average) pass through.
// The graph reads no data inputs and has no weights of its own.
import { locate, type IrModel, type IrTensor as ParamTensor } from "../../ir/model.js";
import { VERSION } from "../../base/package.js";
import { LoweringError } from "./context.js";
import { irVersionFor, MAX_OPSET, MIN_OPSET, type EmittedModel } from "./emit.js";
import { tensorProto, valueInfo, type NodeProto, type TensorProto, type ValueInfoProto } from "./proto.js";

export const EMA_TASK = "ema_update";

export interface EmaOptions {
  readonly opset: number;
}

/** The teacher parameters of a model (those with `ema` set), in parameter order. */
export function emaTeachers(model: IrModel): ParamTensor[] {
  return model.tensors.filter((p) => !p.buffer && p.ema !== undefined);
}

/** The update graph, or undefined when the model has no EMA teachers. */
export function emaUpdateModel(model: IrModel, opts: EmaOptions): EmittedModel | undefined {
  if (!Number.isInteger(opts.opset) || opts.opset < MIN_OPSET || opts.opset > MAX_OPSET)
    throw new LoweringError(`opset ${opts.opset} is not supported (${MIN_OPSET} to ${MAX_OPSET})`);
  const teachers = emaTeachers(model);
  if (teachers.length === 0) return undefined;
  const byPath = new Map(model.tensors.filter((p) => !p.buffer).map((p) => [p.path, p]));
  const where = { where: (span: ParamTensor["span"]): string => locate(model.files, span) };
  const type = (p: ParamTensor): Parameters<typeof valueInfo>[1] => ({ dtype: p.dtype, shape: p.shape });

  const studentInputs: ValueInfoProto[] = [];
  // A student that is itself a teacher (an EMA of an EMA) is already a teacher input.
  const seenStudents = new Set<string>(teachers.map((t) => t.path));
  const nodes: NodeProto[] = [];
  const inits: TensorProto[] = [];
  const consts = new Map<string, { m: string; rest: string }>();
  const valueInfos: ValueInfoProto[] = [];
  const outputs: ValueInfoProto[] = [];
  const constantsFor = (m: number, p: ParamTensor): { m: string; rest: string } => {
    const key = `${p.dtype}:${m}`;
    let c = consts.get(key);
    if (!c) {
      const k = consts.size;
      c = { m: `ema/momentum_${k}`, rest: `ema/one_minus_momentum_${k}` };
      inits.push(tensorProto(c.m, p.dtype, [], [m]), tensorProto(c.rest, p.dtype, [], [1 - m]));
      consts.set(key, c);
    }
    return c;
  };

  for (const t of teachers) {
    const { source, momentum } = t.ema!;
    const s = byPath.get(source);
    if (!s) throw new LoweringError(`EMA teacher ${t.path} follows ${source}, which is not a parameter of ${model.name}`);
    if (!seenStudents.has(source)) {
      seenStudents.add(source);
      studentInputs.push(valueInfo(source, type(s)));
    }
    const out = `${t.path}.updated`;
    const doc = where.where(t.span);
    const base = `ema/${t.path}`;
    outputs.push(valueInfo(out, type(t)));
    if (!(t.dtype.startsWith("float") || t.dtype === "bfloat16")) {
      nodes.push({ name: `${base}/Identity`, opType: "Identity", input: [t.path], output: [out], docString: doc });
      continue;
    }
    const c = constantsFor(momentum, t);
    const kept = `${base}/kept`, added = `${base}/added`;
    nodes.push(
      { name: `${base}/Mul`, opType: "Mul", input: [t.path, c.m], output: [kept], docString: doc },
      { name: `${base}/Mul_2`, opType: "Mul", input: [source, c.rest], output: [added], docString: doc },
      { name: `${base}/Add`, opType: "Add", input: [kept, added], output: [out], docString: doc },
    );
    valueInfos.push(valueInfo(kept, type(t)), valueInfo(added, type(t)));
  }

  const ema = Object.fromEntries(teachers.map((t) => [t.path, t.ema]));
  const props: Record<string, string> = {
    "mm.model": model.name,
    "mm.version": VERSION,
    "mm.task": EMA_TASK,
    "mm.weights": "none",
    "mm.outputs": JSON.stringify(outputs.map((o) => ({ name: o.name, kind: "output" }))),
    "mm.ema": JSON.stringify(ema),
    ...(model.variantOf ? { "mm.variant_of": model.variantOf } : {}),
  };
  return {
    model: {
      irVersion: irVersionFor(opts.opset),
      opsetImport: [{ domain: "", version: opts.opset }],
      producerName: "mm",
      producerVersion: VERSION,
      docString: `EMA update of ${model.name}'s teachers: teacher' = m * teacher + (1 - m) * student`,
      graph: {
        name: `${model.name}.${EMA_TASK}`,
        docString: where.where(model.span),
        node: nodes,
        initializer: inits,
        input: [...studentInputs, ...teachers.map((t) => valueInfo(t.path, type(t)))],
        output: outputs,
        valueInfo: valueInfos,
      },
      metadataProps: Object.keys(props).sort().map((key) => ({ key, value: props[key]! })),
    },
    weights: [],
    nodeCount: nodes.length,
  };
}
