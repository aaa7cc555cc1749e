// Tiny models for the WebGPU op tests (ops-layout.test.ts): layout, indexing, creation,
// convolutions, pools, topk, cumsum, and fusion across them.

/** webgpu layout, conv and pool ops. */
export const LAYOUT = `
model Views {
  input x: [B, 4, 6]
  forward {
    output reshaped = reshape(x * 2.0, [B, 3, 8])
    output inferred = reshape(x + 1.0, [B, -1])
    output flat = flatten(x * 1.5, start: 1)
    output permuted = permute(x, [2, 0, 1]) * 2.0
    output swapped = transpose(x, 0, 2) + 1.0
    output last_t = x.T
    output unsq = unsqueeze(x, -1) * 3.0
    output sq = squeeze(unsqueeze(x, 1) + 1.0, 1)
  }
}
model Expand {
  input x: [B, 1, 6]
  input v: [6]
  forward {
    output ex = expand(x, [B, 4, 6]) + 0.5
    output ex2 = expand(v, [3, 6]) * 2.0
    output ex3 = expand(x, [-1, 3, -1]) - 1.0
  }
}
model ConcatSplit {
  input x: [B, 4, 6]
  input y: [B, 2, 6]
  input z: [B, 4, 3]
  forward {
    output c1 = concat([x, y, x], axis: 1)
    output c2 = concat([x, z], axis: -1) * 2.0
    let (a, b, c) = split(x, [1, 2, 3], axis: -1)
    output s0 = a
    output s1 = b * 2.0
    output s2 = c + 1.0
  }
}
model Slices {
  input x: [B, 7, 6]
  forward {
    output a = x[:, 1:5]
    output b = x[:, ::2, 1::3]
    output c = x[:, -3:, :-1] * 2.0
    output d = x[:, 1:6:2]
    output e = x[:, 2:100] + 1.0
    output f = x[:, -1] + x[:, 0]
    output g = index(x, 2, -2)
  }
}
model Gathers {
  input x: [B, 5, 6]
  input ids: [B, 3] int64
  input j: [4] int64
  param table: [10, 6] init normal(std: 1.0)
  forward {
    output g1 = gather(x, j, axis: 1)
    output g2 = gather(x, j, axis: -1) * 2.0
    output g_neg = gather(x, j - 4, axis: 1)
    output e = embedding(ids, table)
    output e2 = embedding(ids, table) + 1.0
  }
}
model Pads {
  input x: [B, 3, 4]
  forward {
    output p1 = pad(x, [1, 2])
    output p2 = pad(x, [0, 1, 2, 0], value: -1.5)
    output p3 = pad(x * 2.0, [1, 1, 1, 1, 1, 0])
  }
}
model Creation {
  input x: [B, 4, 4]
  forward {
    output r = cast(arange(B * 3), float32) + 1.0
    output ri = arange(5)
    output o = ones([B, 3]) + zeros([B, 3])
    output oi = ones([2, 3], dtype: "int64")
    output lo = tril(x) + triu(x, k: 1)
    output lo2 = tril(x, k: -1) * 2.0
    output up = triu(x, k: -2)
    output cm = causal_mask(4)
    output oh = one_hot(arange(4), 6)
    output dv = sum(x, axes: [1]) / B + (B * 2 + 1)
  }
}
model Convs {
  param w1: [4, 3, 3] init kaiming_uniform
  param b1: [4] init normal(std: 0.5)
  param w2: [4, 3, 3, 3] init kaiming_uniform
  param wg: [6, 2, 3, 3] init kaiming_uniform
  param w3: [4, 3, 2, 2, 2] init xavier_uniform
  input seq: [B, 3, 9]
  input img: [B, 3, 7, 7]
  input img4: [B, 4, 6, 6]
  input vol: [B, 3, 4, 5, 4]
  forward {
    output c1 = conv1d(seq, w1, b1, stride: 2, padding: 1)
    output c1d = conv1d(seq, w1, dilation: 2)
    output c2 = conv2d(img, w2, padding: 1, dilation: 2)
    output c2s = gelu(conv2d(img, w2, b1, stride: [2, 1], padding: [1, 0]))
    output c2g = conv2d(img4, wg, groups: 2, padding: 1)
    output c3 = conv3d(vol, w3, stride: 2)
    output c3p = conv3d(vol, w3, b1, padding: 1) + 1.0
  }
}
model Pools {
  input seq: [B, 3, 9]
  input img: [B, 3, 7, 6]
  input vol: [B, 2, 4, 5, 4]
  forward {
    output m1 = max_pool1d(seq, 3)
    output a1 = avg_pool1d(seq, 3, stride: 2, padding: 1)
    output m2 = max_pool2d(img, 2, stride: 1, padding: 1)
    output a2 = avg_pool2d(img, 2, stride: 1, padding: 1)
    output m2b = max_pool2d(img, [3, 2], stride: [2, 1], padding: [1, 0])
    output a2b = avg_pool2d(img * 2.0, [3, 3], stride: 2)
    output m2c = max_pool2d(img[0], 3)
    output m3 = max_pool3d(vol, 2)
    output a3 = avg_pool3d(vol, [2, 3, 2], stride: 1, padding: 1)
    output ad1 = adaptive_avg_pool1d(seq, 4)
    output ad2 = adaptive_avg_pool2d(img, 3)
    output ad2b = adaptive_avg_pool2d(img, [4, 5]) + 1.0
    output ad2c = adaptive_avg_pool2d(img[1], [2, 3])
    output ad3 = adaptive_avg_pool3d(vol, 1)
    output ad3b = adaptive_avg_pool3d(vol, [3, 2, 3])
  }
}
model TopKCumsum {
  input x: [B, 6, 5]
  input ids: [B, 7] int64
  forward {
    let (v, i) = topk(x, 3)
    output tv = v
    output ti = i
    let (v1, i1) = topk(x, 6, axis: 1)
    output tv1 = v1 * 2.0
    output ti1 = i1
    let ties = cast(cast(x * 3.0, int64), float32)
    let (v2, i2) = topk(ties, 4, axis: -1)
    output tv2 = v2
    output ti2 = i2
    let (v3, i3) = topk(ties, 6, axis: 1)
    output ti3 = i3
    output tv3 = v3
    output cs = cumsum(x, 1)
    output cs2 = cumsum(x * 2.0, -1)
    output csi = cumsum(ids, 1)
    output csb = cumsum(x > 0.0, 2)
  }
}
model Fused {
  param w: [4, 3, 3, 3] init kaiming_uniform
  param b: [4] init normal(std: 0.5)
  param sq: [8, 8] init normal(std: 0.3)
  input img: [B, 3, 8, 8]
  input x: [B, 4, 8]
  forward {
    output conv_pool = max_pool2d(relu(conv2d(img, w, b, padding: 1)), 2)
    output pool_pool = avg_pool2d(max_pool2d(img * 2.0, 2, stride: 1), 3, stride: 2, padding: 1) + 1.0
    output residual = linear(x, sq) + x
    output residual2 = gelu(x @ sq) * x
    let (v, i) = topk(x, 2)
    output picked = gather(x, i[0, 0], axis: 2) + v[0, 0, 0]
    output scan_chain = cumsum(relu(x) * 2.0, -1) - 1.0
    # onnxruntime's PadFusion gets this wrong with optimisations on (harness.ts).
    output pad_pool = max_pool1d(pad(x, [2, 1]), 3)
  }
}
model Wide {
  input x: [B, 3, 130]
  forward {
    output sm = softmax(x * 3.0)
    output ln = layer_norm(x)
    output s = sum(x, [-1]) + logsumexp(x, [2])
    output am = argmax(x, -1)
    let (v, i) = topk(x, 5)
    output tv = v
    output ti = i
    output cs = cumsum(x, -1)
    output ap = adaptive_avg_pool1d(x, 7)
  }
}
`;
