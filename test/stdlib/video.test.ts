// The video encoders (C3D, TSN, SlowFast, Video Swin) and audio-visual fusion (MBT) of the
// stdlib: exact parameter counts of the full-size models against their published figures,
// checkpoint paths and shapes, and tiny variants that check without diagnostics.
import { describe, expect, it } from "vitest";
import { compilerFor, expectPublishedSize } from "./compiled.js";
import { allParams } from "../../compiler/elaborate/instance.js";

/** Compiles each model once. */
const compiled = compilerFor(["stdlib/models/video.mm", "stdlib/models/mbt.mm"]);


// name, computed total, published figure (`none` where the survey and official sources give none)
const FULL: readonly (readonly [string, number, string])[] = [
  ["C3D", 78_409_573, "78.4M"],
  ["TSN_R50", 24_327_632, "24.33M"],
  ["SlowFast_R50_8x8", 34_566_488, "34.6M"],
  ["VideoSwin_T", 28_158_070, "28.2M"],
  ["VideoSwin_S", 49_816_678, "49.8M"],
  ["VideoSwin_B", 88_048_984, "88.0M"],
  ["MBT", 175_005_455, "none"],
];

describe("stdlib video models at published sizes", () => {
  for (const [name, total, published] of FULL) {
    it(`${name}: ${total.toLocaleString("en-US")} parameters (published ${published})`, () => {
      expectPublishedSize(compiled, name, total, published);
    });
  }
});

describe("checkpoint paths", () => {
  const shapes = (name: string): Map<string, string> =>
    new Map(allParams(compiled(name).result.checked!.model.root).map((p) => [p.path, p.shape.map(String).join("x")]));

  it("C3D follows the ports of the Caffe release", () => {
    const p = shapes("C3D");
    expect(p.get("c3d.conv3a.weight")).toBe("256x128x3x3x3");
    expect(p.get("c3d.fc6.weight")).toBe("4096x8192");
    expect(p.get("c3d.fc8.bias")).toBe("101");
  });

  it("TSN has torchvision's ResNet-50 with no running statistics", () => {
    const p = shapes("TSN_R50");
    expect(p.get("backbone.conv1.weight")).toBe("64x3x7x7");
    expect(p.get("backbone.layer2.0.conv2.weight")).toBe("128x128x3x3");
    expect(p.get("backbone.layer4.0.downsample.0.weight")).toBe("2048x1024x1x1");
    expect(p.get("backbone.layer4.0.downsample.1.bias")).toBe("2048");
    expect(p.get("cls_head.fc_cls.weight")).toBe("400x2048");
    expect([...p.keys()].some((k) => k.includes("running"))).toBe(false);
  });

  it("SlowFast has PySlowFast's pathways and laterals", () => {
    const p = shapes("SlowFast_R50_8x8");
    expect(p.get("slowfast.s1.pathway1_stem.conv.weight")).toBe("8x3x5x7x7");
    expect(p.get("slowfast.s1_fuse.conv_f2s.weight")).toBe("16x8x7x1x1");
    expect(p.get("slowfast.s2.pathway0_res.0.branch1.weight")).toBe("256x80x1x1x1");
    expect(p.get("slowfast.s4.pathway0_res.0.branch2.a.weight")).toBe("256x640x3x1x1");
    expect(p.get("slowfast.s5.pathway1_res.2.branch2.c_bn.weight")).toBe("256");
    expect(p.get("slowfast.head.projection.weight")).toBe("400x2304");
  });

  it("Video Swin has the official names and 8x7x7 windows", () => {
    const p = shapes("VideoSwin_B");
    expect(p.get("backbone.patch_embed.proj.weight")).toBe("128x3x2x4x4");
    expect(p.get("backbone.layers.0.blocks.1.attn.relative_position_bias_table")).toBe("2535x4");
    expect(p.get("backbone.layers.2.blocks.17.mlp.fc1.weight")).toBe("2048x512");
    expect(p.get("backbone.layers.2.downsample.reduction.weight")).toBe("1024x2048");
    expect(p.has("backbone.layers.3.downsample.norm.weight")).toBe(false);
    expect(p.get("cls_head.fc_cls.weight")).toBe("400x1024");
  });

  it("MBT has a ViT-B/16 stack per modality and the bottleneck", () => {
    const p = shapes("MBT");
    expect(p.get("embedding.weight")).toBe("768x3x2x16x16");
    expect(p.get("posembed_input.pos_embedding")).toBe("1x3136x768");
    expect(p.get("posembed_input_spectrogram.pos_embedding")).toBe("1x400x768");
    expect(p.get("encoder.rgb.11.attention.attention.query.weight")).toBe("768x768");
    expect(p.get("encoder.spectrogram.0.intermediate.dense.weight")).toBe("3072x768");
    expect(p.get("encoder.bottleneck")).toBe("1x4x768");
    expect(p.get("output_projection.weight")).toBe("527x768");
  });
});

describe("tiny variants", () => {
  const TINY = ["C3D_Tiny", "TSN_R50_Tiny", "SlowFast_R50_8x8_Tiny", "VideoSwin_T_Tiny", "VideoSwin_S_Tiny",
    "VideoSwin_B_Tiny", "MBT_Tiny"];
  for (const name of TINY) {
    it(`${name} checks without diagnostics`, () => {
      const { result } = compiled(name);
      expect(result.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
      expect(result.checked).toBeDefined();
    });
  }
});
