# SlowFast networks (Feichtenhofer et al., 2019) in PySlowFast's layout
# (facebookresearch/SlowFast, slowfast/models/video_model_builder.py, MODEL.ARCH slowfast):
#
#   s1.pathway{0,1}_stem.conv/bn                     stems of the Slow (0) and Fast (1) pathways
#   s1_fuse.conv_f2s/bn ... s4_fuse                  lateral connections, Fast -> Slow
#   s2..s5.pathway{0,1}_res{i}.branch1/branch1_bn    projection shortcut (first block)
#   s2..s5.pathway{0,1}_res{i}.branch2.a/a_bn/b/b_bn/c/c_bn   bottleneck Tx1x1, 1x3x3, 1x1x1
#   head.projection                                  the classifier over both pathways
#
# The Fast pathway sees alpha times more frames with 1/beta of the channels; after the stem and
# after s2, s3, s4 a time-strided Tx1x1 conv (kernel 7, stride alpha, 2x the Fast channels)
# maps Fast onto Slow's frame rate and is concatenated to Slow's channels.
#
# Exceptions to the checkpoint layout:
# - PySlowFast numbers a stage's blocks into their names (`pathway0_res0`, `pathway0_res1`);
#   here they are a repeat stack, `pathway0_res.0`, `pathway0_res.1`: rename `_res{i}.` to
#   `_res.{i}.`.
# - Batch-norm running statistics are buffers, not parameters (see towers/resnet2d.mm).
# - `pathway{0,1}_pool` after s2 are 1x1x1 max pools for SlowFast (identities, no parameters)
#   and are left out; the head averages each pathway's final map over time and space, which is
#   what its fixed [T, 7, 7] average pool does at the training crop of 224.

import "std/nn/layers.mm"
import "std/towers/c3d.mm"
import "std/towers/resnet2d.mm"

## ResNetBasicStem: a Tx7x7 conv (spatial stride 2), batch norm, relu, 1x3x3 max pool (stride 2).
block ResNetBasicStem(dim_in: Int, dim_out: Int, temp_kernel: Int) {
  conv = Conv3d(dim_in, dim_out, [temp_kernel, 7, 7], stride: [1, 2, 2],
                padding: [temp_kernel // 2, 3, 3], bias: false)
  bn = BatchNorm(dim_out)
  forward(x: [B, dim_in, T, H, W]) -> [B, dim_out, T, Ho, Wo] {
    return max_pool3d(relu(bn(conv(x))), [1, 3, 3], stride: [1, 2, 2], padding: [0, 1, 1])
  }
}

## VideoModelStem: one stem per pathway.
block VideoModelStem(slow_in: Int, fast_in: Int, slow_out: Int, fast_out: Int,
                     slow_temp_kernel: Int, fast_temp_kernel: Int) {
  pathway0_stem = ResNetBasicStem(slow_in, slow_out, slow_temp_kernel)
  pathway1_stem = ResNetBasicStem(fast_in, fast_out, fast_temp_kernel)
  forward(slow_x: [B, slow_in, Ts, H, W], fast_x: [B, fast_in, Tf, H, W])
    -> (slow: [B, slow_out, Ts, Ho, Wo], fast: [B, fast_out, Tf, Ho, Wo]) {
    slow = pathway0_stem(slow_x)
    fast = pathway1_stem(fast_x)
  }
}

## The lateral connection: Fast's map, strided in time by alpha, concatenated to Slow's channels.
block FuseFastToSlow(dim_in: Int, ratio: Int, kernel: Int, alpha: Int) {
  conv_f2s = Conv3d(dim_in, dim_in * ratio, [kernel, 1, 1], stride: [alpha, 1, 1],
                    padding: [kernel // 2, 0, 0], bias: false)
  bn = BatchNorm(dim_in * ratio)
  forward(slow: [B, C, Ts, H, W], fast: [B, dim_in, Tf, H, W]) -> [B, C + dim_in * ratio, Ts, H, W] {
    return concat([slow, relu(bn(conv_f2s(fast)))], axis: 1)
  }
}

## BottleneckTransform: Tx1x1 (temporal kernel T), 1x3x3 (spatial stride), 1x1x1, batch norm
## after each, relu after the first two.
block BottleneckTransform(dim_in: Int, dim_out: Int, temp_kernel: Int, stride: Int, dim_inner: Int) {
  a = Conv3d(dim_in, dim_inner, [temp_kernel, 1, 1], padding: [temp_kernel // 2, 0, 0], bias: false)
  a_bn = BatchNorm(dim_inner)
  b = Conv3d(dim_inner, dim_inner, [1, 3, 3], stride: [1, stride, stride], padding: [0, 1, 1], bias: false)
  b_bn = BatchNorm(dim_inner)
  c = Conv3d(dim_inner, dim_out, [1, 1, 1], bias: false)
  c_bn = BatchNorm(dim_out)
  forward(x: [B, dim_in, T, H, W]) -> [B, dim_out, T, (H - 1) // stride + 1, (W - 1) // stride + 1] {
    return c_bn(c(relu(b_bn(b(relu(a_bn(a(x))))))))
  }
}

## ResBlock: the bottleneck plus a shortcut, projected (branch1) where the shape changes.
block ResBlock(dim_in: Int, dim_out: Int, temp_kernel: Int, stride: Int, dim_inner: Int) {
  let project = dim_in != dim_out || stride != 1
  branch1 = Conv3d(dim_in, dim_out, [1, 1, 1], stride: [1, stride, stride], bias: false) if project
  branch1_bn = BatchNorm(dim_out) if project
  branch2 = BottleneckTransform(dim_in, dim_out, temp_kernel, stride, dim_inner)
  forward(x: [B, dim_in, T, H, W]) -> [B, dim_out, T, (H - 1) // stride + 1, (W - 1) // stride + 1] {
    if project { return relu(branch1_bn(branch1(x)) + branch2(x)) }
    return relu(x + branch2(x))
  }
}

## ResStage: `blocks` ResBlocks in each pathway; the first block strides and changes width.
block ResStage(slow_in: Int, fast_in: Int, slow_out: Int, fast_out: Int, slow_inner: Int,
               fast_inner: Int, slow_temp_kernel: Int, fast_temp_kernel: Int, stride: Int, blocks: Int) {
  pathway0_res = repeat blocks as i ResBlock(if i == 0 then slow_in else slow_out, slow_out,
                                             slow_temp_kernel, if i == 0 then stride else 1, slow_inner)
  pathway1_res = repeat blocks as i ResBlock(if i == 0 then fast_in else fast_out, fast_out,
                                             fast_temp_kernel, if i == 0 then stride else 1, fast_inner)
  forward(slow_x: [B, slow_in, Ts, H, W], fast_x: [B, fast_in, Tf, H, W])
    -> (slow: [B, slow_out, Ts, (H - 1) // stride + 1, (W - 1) // stride + 1],
        fast: [B, fast_out, Tf, (H - 1) // stride + 1, (W - 1) // stride + 1]) {
    slow = pathway0_res(slow_x)
    fast = pathway1_res(fast_x)
  }
}

## ResNetBasicHead: each pathway averaged over time and space, concatenated, dropout, and the
## linear `projection` to the classes (softmax only at test time: this returns logits).
head ResNetBasicHead(slow_in: Int, fast_in: Int, num_classes: Int, drop: Float = 0.5) {
  projection = Linear(slow_in + fast_in, num_classes)
  forward(slow: [B, slow_in, Ts, H, W], fast: [B, fast_in, Tf, H, W]) -> [B, num_classes] {
    let pooled = concat([mean(slow, [2, 3, 4]), mean(fast, [2, 3, 4])], axis: 1)
    return projection(dropout(pooled, drop))
  }
}

## SlowFast with ResNet bottlenecks (default: SLOWFAST_8x8_R50, Kinetics-400). `width` is the
## Slow stem width (WIDTH_PER_GROUP 64), Fast has width / beta_inv channels; `expansion` is the
## bottleneck expansion (4). Temporal kernels as PySlowFast's "slowfast" basis: stem 1 / 5,
## res2-res3 1 / 3, res4-res5 3 / 3 (Slow / Fast).
tower SlowFast(num_classes: Int = 400, alpha: Int = 4, beta_inv: Int = 8, fusion_ratio: Int = 2,
               fusion_kernel: Int = 7, width: Int = 64, expansion: Int = 4,
               depths: [Int] = [3, 4, 6, 3], drop: Float = 0.5)
  where len(depths) == 4, width % beta_inv == 0 {
  let fast = width / beta_inv                  # Fast stem width
  let lateral = fast * fusion_ratio            # channels s1_fuse adds to Slow (later ones: x e, x 2e, x 4e)
  let e = expansion
  s1 = VideoModelStem(3, 3, width, fast, 1, 5)
  s1_fuse = FuseFastToSlow(fast, fusion_ratio, fusion_kernel, alpha)
  s2 = ResStage(width + lateral, fast, e * width, e * fast, width, fast, 1, 3, 1, depths[0])
  s2_fuse = FuseFastToSlow(e * fast, fusion_ratio, fusion_kernel, alpha)
  s3 = ResStage(e * (width + lateral), e * fast, 2 * e * width, 2 * e * fast, 2 * width, 2 * fast,
                1, 3, 2, depths[1])
  s3_fuse = FuseFastToSlow(2 * e * fast, fusion_ratio, fusion_kernel, alpha)
  s4 = ResStage(2 * e * (width + lateral), 2 * e * fast, 4 * e * width, 4 * e * fast, 4 * width,
                4 * fast, 3, 3, 2, depths[2])
  s4_fuse = FuseFastToSlow(4 * e * fast, fusion_ratio, fusion_kernel, alpha)
  s5 = ResStage(4 * e * (width + lateral), 4 * e * fast, 8 * e * width, 8 * e * fast, 8 * width,
                8 * fast, 3, 3, 2, depths[3])
  head = ResNetBasicHead(8 * e * width, 8 * e * fast, num_classes, drop: drop)

  # (Height and Width, not H and W: see towers/resnet2d.mm)
  forward(slow: [B, 3, Ts, Height, Width], fast: [B, 3, Ts * alpha, Height, Width]) -> [B, num_classes] {
    let x = s1(slow, fast)
    x = s2(s1_fuse(x.slow, x.fast), x.fast)
    x = s3(s2_fuse(x.slow, x.fast), x.fast)
    x = s4(s3_fuse(x.slow, x.fast), x.fast)
    x = s5(s4_fuse(x.slow, x.fast), x.fast)
    return head(x.slow, x.fast)
  }
}
