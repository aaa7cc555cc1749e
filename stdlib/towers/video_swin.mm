# Video Swin Transformer (Liu et al., 2022) in the layout of the official code
# (SwinTransformer/Video-Swin-Transformer, mmaction/models/backbones/swin_transformer.py):
#
#   patch_embed.proj (Conv3d, patch 2x4x4), patch_embed.norm
#   layers.N.blocks.M.norm1, .attn.relative_position_bias_table, .attn.relative_position_index,
#                    .attn.qkv, .attn.proj,
#                    .norm2, .mlp.fc1, .mlp.fc2
#   layers.N.downsample.norm, layers.N.downsample.reduction     (patch merging, stages 0-2)
#   norm
#
# Windows are 8x7x7 (time x height x width); every second block shifts them by half a window.
# A window never exceeds the feature map: along an axis no longer than the window, the window
# is the whole axis and there is no shift (the official get_window_size). Maps are padded to
# whole windows; the cyclic shift (torch.roll) is written as a slice and a concat; the
# relative position bias is gathered from its table by the `relative_position_index` buffer,
# sliced to the window size actually used, as the official code does.
#
# The relative position index is a buffer, as in the official code (`relative_index` fills it
# as the official code computes it); the shift mask, a cache there, is computed in the forward.

import "std/nn/layers.mm"
import "std/nn/mlp.mm"
import "std/towers/c3d.mm"

## PatchEmbed3D: a 3-D conv with stride = kernel over (time, height, width) patches, padded to
## whole patches, then an optional LayerNorm over the channels (patch_norm in the configs).
block PatchEmbed3D(patch: [Int], in_chans: Int, embed_dim: Int, patch_norm: Bool = true)
  where len(patch) == 3 {
  proj = Conv3d(in_chans, embed_dim, patch, stride: patch)
  norm = LayerNorm(embed_dim) if patch_norm
  forward(x: [B, in_chans, T, H, W]) -> [B, embed_dim, D, Hp, Wp] {
    let pad_t = (patch[0] - T % patch[0]) % patch[0]
    let pad_h = (patch[1] - H % patch[1]) % patch[1]
    let pad_w = (patch[2] - W % patch[2]) % patch[2]
    if pad_t + pad_h + pad_w > 0 { x = pad(x, [0, pad_w, 0, pad_h, 0, pad_t]) }
    let y = proj(x)
    if patch_norm { y = permute(norm(permute(y, [0, 2, 3, 4, 1])), [0, 4, 1, 2, 3]) }
    return y
  }
}

## WindowAttention3D: multi-head self-attention inside each window, with a learned bias per
## head for every relative (time, height, width) offset, and an optional additive mask per
## window (the shifted windows' mask: -100 between tokens from different regions).
block WindowAttention3D(dim: Int, window: [Int], heads: Int, qkv_bias: Bool = true)
  where dim % heads == 0, len(window) == 3 {
  let wd = window[0]
  let wh = window[1]
  let ww = window[2]
  let n = wd * wh * ww
  param relative_position_bias_table: [(2 * wd - 1) * (2 * wh - 1) * (2 * ww - 1), heads]
    init trunc_normal(std: 0.02)
  ## Each pair of the full window's tokens: the row of its (t, h, w) offset in the table (the
  ## official persistent buffer; a checkpoint's copy loads into it).
  buffer relative_position_index: [n, n] int64 init relative_index(wd, wh, ww)
  qkv = Linear(dim, 3 * dim, bias: qkv_bias)
  proj = Linear(dim, dim)

  forward(x: [BW, N, dim], mask: [NW, N, N] = none) -> [BW, N, dim] {
    let bias = gather(relative_position_bias_table, flatten(relative_position_index[:N, :N]))   # [N*N, heads]
    bias = permute(reshape(bias, [N, N, heads]), [2, 0, 1])                    # [heads, N, N]

    let qkv_ = permute(reshape(qkv(x), [BW, N, 3, heads, dim / heads]), [2, 0, 3, 1, 4])
    let q = qkv_[0] * (dim / heads) ** -0.5
    let attn = q @ transpose(qkv_[1], -2, -1) + unsqueeze(bias, 0)            # [BW, heads, N, N]
    if mask != none {
      attn = reshape(attn, [BW / NW, NW, heads, N, N]) + unsqueeze(unsqueeze(mask, 1), 0)
      attn = reshape(attn, [BW, heads, N, N])
    }
    let out = softmax(attn) @ qkv_[2]                                          # [BW, heads, N, hd]
    return proj(reshape(transpose(out, 1, 2), [BW, N, dim]))
  }
}

## SwinTransformerBlock3D: (shifted) window attention and an MLP, each pre-norm and residual.
## `shift` is [0, 0, 0] or half the window; both shrink to the map as get_window_size does.
block SwinTransformerBlock3D(dim: Int, heads: Int, window: [Int] = [8, 7, 7],
                             shift: [Int] = [0, 0, 0], mlp_ratio: Int = 4, qkv_bias: Bool = true) {
  norm1 = LayerNorm(dim)
  attn = WindowAttention3D(dim, window, heads, qkv_bias: qkv_bias)
  norm2 = LayerNorm(dim)
  mlp = MLP(dim, mlp_ratio * dim)

  forward(x: [B, D, H, W, dim], mask: [NW, N, N] = none) -> [B, D, H, W, dim] {
    let ws = [min(D, window[0]), min(H, window[1]), min(W, window[2])]
    let ss = [if D <= window[0] then 0 else shift[0], if H <= window[1] then 0 else shift[1],
              if W <= window[2] then 0 else shift[2]]
    let shifted = ss[0] + ss[1] + ss[2] > 0
    # pad to whole windows
    let dp = (D + ws[0] - 1) // ws[0] * ws[0]
    let hp = (H + ws[1] - 1) // ws[1] * ws[1]
    let wp = (W + ws[2] - 1) // ws[2] * ws[2]
    let n_windows = (dp / ws[0]) * (hp / ws[1]) * (wp / ws[2])
    let y = norm1(x)
    if dp + hp + wp > D + H + W { y = pad(y, [0, 0, 0, wp - W, 0, hp - H, 0, dp - D]) }
    # cyclic shift by -ss (torch.roll)
    for i in range(3) {
      if ss[i] > 0 { y = concat([slice(y, i + 1, ss[i]), slice(y, i + 1, 0, ss[i])], axis: i + 1) }
    }
    # partition into windows: [B * n_windows, wd * wh * ww, dim]
    let windows = reshape(permute(reshape(y, [B, dp / ws[0], ws[0], hp / ws[1], ws[1], wp / ws[2], ws[2], dim]),
                                  [0, 1, 3, 5, 2, 4, 6, 7]),
                          [B * n_windows, ws[0] * ws[1] * ws[2], dim])
    windows = if shifted then attn(windows, mask: mask) else attn(windows)
    # merge windows back, undo the shift and the padding
    y = reshape(permute(reshape(windows, [B, dp / ws[0], hp / ws[1], wp / ws[2], ws[0], ws[1], ws[2], dim]),
                        [0, 1, 4, 2, 5, 3, 6, 7]),
                [B, dp, hp, wp, dim])
    for i in range(3) {
      if ss[i] > 0 {
        let len_i = [dp, hp, wp][i]
        y = concat([slice(y, i + 1, len_i - ss[i]), slice(y, i + 1, 0, len_i - ss[i])], axis: i + 1)
      }
    }
    if dp + hp + wp > D + H + W { y = y[:, :D, :H, :W, :] }
    x = x + y
    return x + mlp(norm2(x))
  }
}

## PatchMerging: concatenates each 2x2 spatial neighbourhood (time is kept), LayerNorm over the
## 4*dim channels, and a bias-free linear reduction to 2*dim.
block PatchMerging(dim: Int) {
  norm = LayerNorm(4 * dim)
  reduction = Linear(4 * dim, 2 * dim, bias: false)
  forward(x: [B, D, H, W, dim]) -> [B, D, (H + 1) // 2, (W + 1) // 2, 2 * dim] {
    if H % 2 == 1 || W % 2 == 1 { x = pad(x, [0, 0, 0, W % 2, 0, H % 2]) }
    let x0 = slice(slice(x, 2, 0, step: 2), 3, 0, step: 2)
    let x1 = slice(slice(x, 2, 1, step: 2), 3, 0, step: 2)
    let x2 = slice(slice(x, 2, 0, step: 2), 3, 1, step: 2)
    let x3 = slice(slice(x, 2, 1, step: 2), 3, 1, step: 2)
    return reduction(norm(concat([x0, x1, x2, x3], axis: -1)))
  }
}

## BasicLayer: one stage, `depth` blocks alternating plain and shifted windows, then patch
## merging (`merge`, all stages but the last). The shifted windows' mask is built here once per
## stage, as the official compute_mask does: tokens that the cyclic shift brought from
## different regions of the map may not attend to each other.
block BasicLayer(dim: Int, depth: Int, heads: Int, window: [Int] = [8, 7, 7], mlp_ratio: Int = 4,
                 merge: Bool = false) {
  let half = [window[0] // 2, window[1] // 2, window[2] // 2]
  blocks = repeat depth as i SwinTransformerBlock3D(dim, heads, window: window,
                                                    shift: if i % 2 == 0 then [0, 0, 0] else half,
                                                    mlp_ratio: mlp_ratio)
  downsample = PatchMerging(dim) if merge
  let out = if merge then 2 * dim else dim

  forward(x: [B, dim, D, H, W]) -> [B, out, D, Ho, Wo] {
    let ws = [min(D, window[0]), min(H, window[1]), min(W, window[2])]
    let ss = [if D <= window[0] then 0 else half[0], if H <= window[1] then 0 else half[1],
              if W <= window[2] then 0 else half[2]]
    let size = [(D + ws[0] - 1) // ws[0] * ws[0], (H + ws[1] - 1) // ws[1] * ws[1],
                (W + ws[2] - 1) // ws[2] * ws[2]]
    # region of each position along each axis: 0 before the last window, 1 in the last window
    # but before the shifted-in strip, 2 in the strip; one region where an axis is not shifted
    let r0 = if ss[0] == 0 then zeros([size[0]], dtype: "int64")
             else cast(ge(arange(size[0]), size[0] - ws[0]), "int64") + cast(ge(arange(size[0]), size[0] - ss[0]), "int64")
    let r1 = if ss[1] == 0 then zeros([size[1]], dtype: "int64")
             else cast(ge(arange(size[1]), size[1] - ws[1]), "int64") + cast(ge(arange(size[1]), size[1] - ss[1]), "int64")
    let r2 = if ss[2] == 0 then zeros([size[2]], dtype: "int64")
             else cast(ge(arange(size[2]), size[2] - ws[2]), "int64") + cast(ge(arange(size[2]), size[2] - ss[2]), "int64")
    let region = reshape(r0, [size[0], 1, 1]) * 9 + reshape(r1, [1, size[1], 1]) * 3 + reshape(r2, [1, 1, size[2]])
    let per_window = reshape(permute(reshape(region, [size[0] / ws[0], ws[0], size[1] / ws[1], ws[1],
                                                      size[2] / ws[2], ws[2]]), [0, 2, 4, 1, 3, 5]),
                             [(size[0] / ws[0]) * (size[1] / ws[1]) * (size[2] / ws[2]), ws[0] * ws[1] * ws[2]])
    let mask = cast(ne(unsqueeze(per_window, 1), unsqueeze(per_window, 2)), "float32") * -100.0

    let y = permute(x, [0, 2, 3, 4, 1])                 # [B, D, H, W, dim]
    for blk in blocks { y = blk(y, mask: mask) }
    if merge { y = downsample(y) }
    return permute(y, [0, 4, 1, 2, 3])
  }
}

## SwinTransformer3D: patch embedding, four stages (widths embed_dim x 1, 2, 4, 8), a final
## LayerNorm. Returns the [B, C, D, H, W] map. Defaults: Swin-T with patch 2x4x4, window 8x7x7,
## on 32-frame 224x224 clips (the official code takes any size; windows and padding are decided
## at compile time here, so the tower is given its clip size).
tower SwinTransformer3D(frames: Int = 32, image: Int = 224, patch: [Int] = [2, 4, 4], embed_dim: Int = 96,
                        depths: [Int] = [2, 2, 6, 2], heads: [Int] = [3, 6, 12, 24],
                        window: [Int] = [8, 7, 7], mlp_ratio: Int = 4, patch_norm: Bool = true)
  where len(depths) == 4, len(heads) == 4 {
  let num_features = 8 * embed_dim
  patch_embed = PatchEmbed3D(patch, 3, embed_dim, patch_norm: patch_norm)
  layers = repeat 4 as i BasicLayer(embed_dim * 2 ** i, depths[i], heads[i], window: window,
                                    mlp_ratio: mlp_ratio, merge: i < 3)
  norm = LayerNorm(num_features)

  forward(video: [B, 3, frames, image, image]) -> [B, num_features, D, Ho, Wo] {
    let x = layers(patch_embed(video))
    return permute(norm(permute(x, [0, 2, 3, 4, 1])), [0, 4, 1, 2, 3])
  }
}

## mmaction's I3DHead: global average pooling over time and space, dropout, `fc_cls`.
head I3DHead(in_channels: Int, num_classes: Int, drop: Float = 0.5) {
  fc_cls = Linear(in_channels, num_classes)
  forward(x: [B, in_channels, D, H, W]) -> [B, num_classes] {
    return fc_cls(dropout(mean(x, [2, 3, 4]), drop))
  }
}
