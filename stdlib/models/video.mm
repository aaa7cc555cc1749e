# Video classifiers: C3D, TSN (ResNet-50), SlowFast R50 8x8 and Video Swin T/S/B, each with a
# `_Tiny` variant (same structure, small widths, depths and clips).
#
# Names follow the official code of each model (see the tower files): C3D as the PyTorch ports
# of the Caffe release (under `c3d.`), TSN as mmaction2 (`backbone`, `cls_head.fc_cls`) with
# torchvision's ResNet-50 names in the backbone, SlowFast as PySlowFast (under `slowfast.`),
# Video Swin as the official Video-Swin-Transformer (mmaction-based: `backbone`,
# `cls_head.fc_cls`). Exceptions:
# - C3D's and SlowFast's checkpoints have their keys at the root: strip `c3d.` / `slowfast.`
#   (SlowFast's `layout pyslowfast` does, and names the blocks as below).
# - mmaction2's TSN checkpoints wrap each conv and its norm (`backbone.conv1.conv`,
#   `backbone.conv1.bn`, `layer1.0.conv1.conv`, `layer1.0.conv1.bn`, `downsample.conv`,
#   `downsample.bn`); here the backbone has torchvision's names (`conv1`, `bn1`,
#   `layer1.0.conv1`, `layer1.0.bn1`, `downsample.0`, `downsample.1`), which mmaction2 maps
#   when it loads torchvision weights.
# - PySlowFast's `pathway0_res0` is `pathway0_res.0` (towers/slowfast.mm; `--layout pyslowfast`).
# Batch-norm running statistics are buffers, as in PyTorch (towers/resnet2d.mm).

import "std/nn/layers.mm"
import "std/towers/c3d.mm"
import "std/towers/resnet2d.mm"
import "std/towers/slowfast.mm"
import "std/towers/video_swin.mm"

# ---------------------------------------------------------------------------------- C3D

## C3D (Tran et al., 2015) on 16x112x112 clips, fine-tuned on UCF101.
## published: 78.4M (models.md; C3D with 101 classes: 8 conv3d, fc6, fc7 and fc8)
model C3D(num_classes: Int = 101) {
  c3d = C3DNet(num_classes: num_classes)
  input clips: [B, 3, c3d.frames, c3d.image, c3d.image]
  input labels: [B] int64
  forward {
    let logits = c3d(clips)
    output logits = logits
    loss cls = cross_entropy(logits, labels)
  }
  task classify { outputs: logits }
  task train { losses: cls }
  stage finetune { train: c3d; tasks: train }
}

## C3D on 16 frames of 32x32 (16 frames, since the four temporal pools need them), widths 8-64.
model C3D_Tiny = C3D(num_classes: 10) with {
  c3d.widths = [8, 16, 32, 64, 64]
  c3d.hidden = 64
  c3d.image = 32
}

# ---------------------------------------------------------------------------------- TSN

## TSN's head (mmaction2 TSNHead): average-pooled features of each segment, averaged over the
## segments (the consensus), dropout, and one linear classifier `fc_cls`.
head TSNHead(in_channels: Int, num_classes: Int, segments: Int, drop: Float = 0.4) {
  fc_cls = Linear(in_channels, num_classes)
  forward(features: [B, segments, in_channels]) -> [B, num_classes] {
    return fc_cls(dropout(mean(features, [1]), drop))
  }
}

## Temporal Segment Networks (Wang et al., 2016) with a 2D ResNet-50: one frame from each of
## `segments` snippets through the shared backbone, average consensus, a linear classifier.
## Layout of mmaction2's tsn_r50_1x1x3 Kinetics-400 model: `backbone` (here with torchvision's
## names, as mmaction2 loads torchvision weights) and `cls_head.fc_cls`.
## published: 24.33M (models.md; mmaction2 TSN R50 1x1x3, 400 classes: backbone and fc_cls)
model TSN_R50(segments: Int = 3, num_classes: Int = 400, image: Int = 224) {
  backbone = ResNet(num_classes: 0)
  cls_head = TSNHead(backbone.features, num_classes, segments)
  # The batch is V (videos), not B: the checker substitutes a block's B twice when it is bound
  # to an expression in a caller's B (B := 3*B gives 9*B).
  input frames: [V, segments, 3, image, image]
  input labels: [V] int64
  forward {
    let per_frame = backbone(reshape(frames, [V * segments, 3, image, image]))
    let logits = cls_head(reshape(per_frame, [V, segments, backbone.features]))
    output logits = logits
    loss cls = cross_entropy(logits, labels)
  }
  task classify { outputs: logits }
  task train { losses: cls }
  stage finetune { train: backbone, cls_head; tasks: train }
}

## TSN with a one-block-per-stage ResNet (stem width 4, expansion 2: 64 features), 32x32 frames.
model TSN_R50_Tiny = TSN_R50(num_classes: 10, image: 32) with {
  backbone.layers = [1, 1, 1, 1]
  backbone.width = 4
  backbone.expansion = 2
}

# ---------------------------------------------------------------------------------- SlowFast

## SlowFast R50 8x8 (Feichtenhofer et al., 2019; PySlowFast SLOWFAST_8x8_R50): 32 frames for the
## Fast pathway, every 4th (8) for the Slow one, 224x224 crops, Kinetics-400. As PySlowFast, the
## model takes the two pathways' clips (its PackPathway picks Slow's frames from the clip).
## Parameter paths are PySlowFast's under `slowfast.`.
## published: 34.6M (models.md; PySlowFast model zoo, SlowFast R50 8x8 with the 400-class head)
model SlowFast_R50_8x8(frames: Int = 32, image: Int = 224) {
  slowfast = SlowFast()
  input slow_frames: [B, 3, frames / slowfast.alpha, image, image]
  input fast_frames: [B, 3, frames, image, image]
  input labels: [B] int64
  forward {
    let logits = slowfast(slow_frames, fast_frames)
    output logits = logits
    loss cls = cross_entropy(logits, labels)
  }
  task classify { outputs: logits }
  task train { losses: cls }
  stage kinetics { train: slowfast; tasks: train }

  ## PySlowFast's checkpoints: keys at the root, and a block per attribute (`s2.pathway0_res0`)
  ## where mm keeps a stack (`s2.pathway0_res.0`).
  default layout pyslowfast {
    "slowfast.**.pathway*_res.*.**": "**.pathway*_res*.**"
    "slowfast.**": "**"
  }
}

## SlowFast on 8 Fast and 2 Slow frames of 32x32: Slow width 8, Fast width 2 (beta 1/4),
## expansion 1, one block per stage.
model SlowFast_R50_8x8_Tiny = SlowFast_R50_8x8(frames: 8, image: 32) with {
  slowfast.num_classes = 10
  slowfast.width = 8
  slowfast.beta_inv = 4
  slowfast.expansion = 1
  slowfast.depths = [1, 1, 1, 1]
}

# ---------------------------------------------------------------------------------- Video Swin

## Video Swin Transformer, Swin-T (Liu et al., 2022): embed 96, depths 2-2-6-2, heads 3-6-12-24,
## patch 2x4x4, window 8x7x7; 32-frame 224x224 clips, Kinetics-400 (the official
## swin_tiny_patch244_window877_kinetics400_1k config: `backbone`, `cls_head.fc_cls`).
## published: 28.2M (models.md; official model zoo, Swin-T with the 400-class head)
model VideoSwin_T(frames: Int = 32, image: Int = 224, num_classes: Int = 400) {
  backbone = SwinTransformer3D(frames: frames, image: image)
  cls_head = I3DHead(backbone.num_features, num_classes)
  input video: [B, 3, frames, image, image]
  input labels: [B] int64
  forward {
    let logits = cls_head(backbone(video))
    output logits = logits
    loss cls = cross_entropy(logits, labels)
  }
  task classify { outputs: logits }
  task train { losses: cls }
  stage finetune { train: backbone, cls_head; tasks: train }
}

## Swin-S: depths 2-2-18-2.
## published: 49.8M (models.md; official model zoo, Swin-S with the 400-class head)
model VideoSwin_S = VideoSwin_T with {
  backbone.depths = [2, 2, 18, 2]
}

## Swin-B: embed 128, depths 2-2-18-2, heads 4-8-16-32.
## published: 88.0M (models.md; official model zoo, Swin-B with the 400-class head)
model VideoSwin_B = VideoSwin_T with {
  backbone.embed_dim = 128
  backbone.depths = [2, 2, 18, 2]
  backbone.heads = [4, 8, 16, 32]
}

## Tiny variants: 4 frames of 32x32 (a 2x8x8 token map, so that windows shrink to the map and
## the 7x7 windows pad it), widths 8 to 64, two blocks per stage (one plain, one shifted).
model VideoSwin_T_Tiny = VideoSwin_T(frames: 4, image: 32, num_classes: 10) with {
  backbone.embed_dim = 8
  backbone.depths = [2, 2, 2, 2]
  backbone.heads = [1, 2, 4, 8]
}

## Swin-S differs from Swin-T only in the depth of stage 3, which tiny variants cap at 2, so
## its tiny variant has Swin-T's tiny structure.
model VideoSwin_S_Tiny = VideoSwin_T_Tiny with {
  backbone.depths = [2, 2, 2, 2]
}

## Swin-B's tiny variant: more heads per stage than Swin-T's (as Swin-B has 4-8-16-32 against
## 3-6-12-24); its widths stay those of the other tiny variants (at most 64).
model VideoSwin_B_Tiny = VideoSwin_T_Tiny with {
  backbone.heads = [2, 4, 8, 16]
}
