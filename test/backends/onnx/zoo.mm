# Every primitive op once, on a symbolic batch B, for the ONNX backend tests: each result
# is an output, so the runtime's shapes can be compared with the checker's.

model OpZoo {
  param w: [6, 8] init normal(std: 0.5)
  param bias: [6] init normal(std: 0.5)
  param table: [10, 8] init normal(std: 1.0)
  param scale: [8] init normal(mean: 1.0, std: 0.1)
  param shift: [8] init normal(std: 0.1)
  param kernel1: [4, 3, 3] init kaiming_uniform
  param kernel2: [4, 3, 3, 3] init kaiming_uniform
  param kernel3: [4, 3, 2, 2, 2] init xavier_uniform
  param running_mean: [3] init normal(std: 0.1)
  param running_var: [3] init uniform(0.5, 1.5)
  input x: [B, 4, 8]
  input y: [B, 4, 8]
  input ids: [B, 4] int64
  input img: [B, 3, 6, 6]
  input seq: [B, 3, 9]
  input vol: [B, 3, 4, 4, 4]
  input labels: [B] int64
  input probs: [B, 4, 8]
  input s: [B, T, 4]
  forward {
    output o_add = x + y
    output o_sub = x - 1.5
    output o_mul = x * y
    output o_div = x / (abs(y) + 1.0)
    output o_pow = abs(x) ** 1.5
    output o_max = maximum(x, y)
    output o_min = minimum(x, y)
    output o_cmp = cast(x == y, float32) + cast(x != y, float32) + cast(x < y, float32) + cast(x <= y, float32) + cast(x > y, float32) + cast(x >= y, float32)
    output o_logic = cast(logical_and(x > 0.0, y > 0.0), int64) + cast(logical_or(x > 0.0, logical_not(y > 0.0)), int64)
    output o_where = where(x > y, x, y)
    output o_unary = neg(x) + exp(x) + log(abs(x) + 1.0) + sqrt(abs(x)) + rsqrt(abs(x) + 1.0) + sin(x) + cos(x) + erf(x)
    output o_intf = exp(ids) + sqrt(ids)
    output o_cast = cast(ids, float32) + cast(cast(x, int64), float32)[:, :, 0]
    output o_clamp = clamp(x, min: -0.5) + clamp(x, max: 0.5) + clamp(x, -0.1, 0.1)
    output o_fill = masked_fill(x, x > 0.5, -1.0)
    output o_matmul = x @ y.T
    output o_mv = x @ scale
    output o_linear = linear(x, w, bias)
    output o_linear2 = linear(x[:, 0], w)
    output o_reshape = reshape(x, [B, 2, 16])
    output o_reshape2 = reshape(x, [B * 4, 8])
    output o_permute = permute(x, [2, 0, 1])
    output o_flatten = flatten(img, start: 1)
    output o_unsq = squeeze(unsqueeze(x, 1), 1) + unsqueeze(x, -1)[:, :, :, 0]
    output o_expand = expand(reshape(scale, [1, 1, 8]), [B, 4, 8])
    output o_concat = concat([x, y], axis: 1)
    let (s0, s1) = split(x, [3, 5], axis: -1)
    output o_split = s1
    output o_split0 = s0
    output o_slice = x[:, 1:3, ::2] + x[:, -2:, 1::2]
    output o_gather = gather(x, clamp(ids, 0, 3), axis: 1)
    output o_index = x[:, -1]
    output o_pad = pad(x, [1, 2])
    output o_arange = cast(arange(B), float32)
    output o_ones = ones([B, 3]) + zeros([B, 3])
    output o_tri = tril(x) + triu(x, k: 1)
    output o_causal = cast(causal_mask(4), float32)
    output o_sum = sum(x, [1]) + mean(x, [1]) + max(x, [1]) + min(x, [1]) + prod(x, [1]) + logsumexp(x, [1])
    output o_sumall = sum(x) + mean(x, keepdim: true)[0, 0, 0]
    output o_isum = sum(ids, [1])
    output o_arg = argmax(x, -1) + argmin(x, 2, keepdim: true)[:, :, 0]
    output o_cumsum = cumsum(x, 1)
    let (tv, ti) = topk(x, 3)
    output o_topk = tv + cast(ti, float32)
    output o_onehot = one_hot(clamp(ids, 0, 4), 5)
    output o_act = relu(x) + gelu(x) + gelu(x, approximate: "tanh") + quick_gelu(x) + silu(x) + sigmoid(x) + tanh(x) + softplus(x)
    output o_softmax = softmax(x, axis: 1) + log_softmax(x)
    output o_ln = layer_norm(x, scale, shift) + layer_norm(x, eps: 0.001)
    output o_rms = rms_norm(x, scale) + rms_norm(x)
    output o_bn = batch_norm(img, mean: running_mean, var: running_var)
    output o_gn = group_norm(x, 2)
    output o_gn2 = group_norm(img, 3, scale[0:3], shift[0:3])
    output o_norm = normalize(x) + normalize(x, axis: 1, p: 1) + normalize(x, p: 3)
    output o_cos = cosine_similarity(x, y)
    output o_embed = embedding(ids, table)
    output o_dropout = dropout(x, 0.1)
    output o_attn = attention(x, y, y, heads: 2) + attention(x, y, x, heads: 4, causal: true)
    output o_attn_mask = attention(x, y, y, mask: reshape(ids > 0, [B, 1, 1, 4]), heads: 2)
    output o_sdp = scaled_dot_product(reshape(x, [B, 4, 2, 4]), reshape(y, [B, 4, 2, 4]), reshape(y, [B, 4, 2, 4]), causal: true)
    output o_conv1 = conv1d(seq, kernel1, stride: 2, padding: 1)
    output o_conv2 = conv2d(img, kernel2, padding: 1, dilation: 2)
    output o_conv3 = conv3d(vol, kernel3, stride: 2)
    output o_pool1 = max_pool1d(seq, 3) + avg_pool1d(seq, 3)
    output o_pool2 = max_pool2d(img, 2, stride: 1, padding: 1) + avg_pool2d(img, 2, stride: 1, padding: 1)
    output o_pool3 = max_pool3d(vol, 2) + avg_pool3d(vol, 2)
    output o_pool_c = max_pool2d(img[0], 3)
    output o_adaptive = adaptive_avg_pool2d(img, 3) + adaptive_avg_pool2d(img, [4, 4])[:, :, 0:3, 0:3]
    output o_adaptive1 = adaptive_avg_pool1d(seq, 4)
    output o_adaptive3 = adaptive_avg_pool3d(vol, 1)
    output o_stop = stop_gradient(x) + identity(x)
    output o_swap = reshape(s, [T, B, 4])
    output o_range = cast(arange(B * T + 1), float32)
    output o_expand2 = expand(reshape(scale, [1, 8]), [B * 2, 8])
    loss ce = cross_entropy(x[:, 0], clamp(labels, 0, 7)) + cross_entropy(x, clamp(ids, 0, 7), axis: -1, reduction: "sum") + cross_entropy(permute(x, [0, 2, 1]), clamp(ids, 0, 7)) + cross_entropy(x[:, 0], clamp(labels, 0, 7), label_smoothing: 0.1)
    loss ce_soft = cross_entropy(x, probs, axis: -1)
    loss ce_none = sum(cross_entropy(x, clamp(ids, 0, 7), axis: 2, reduction: "none", ignore_index: 0))
    loss bce = binary_cross_entropy_with_logits(x, sigmoid(y))
    loss kl = kl_div(log_softmax(x), softmax(y)) + kl_div(log_softmax(x), softmax(y), reduction: "sum")
    loss l2 = mse(x, y)
  }
}

## A symbol that only appears inside an expression dim of an input: B is read as dim / 2.
model Doubled {
  input z: [2 * B, 4]
  forward {
    output r = cast(arange(B), float32) + sum(z)
  }
}
