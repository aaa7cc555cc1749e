// Tiny models for the WebGPU op tests (ops.test.ts): arithmetic, activations, reductions,
// normalisations, linear algebra, attention and losses; attribute variants as outputs.

/** webgpu elementwise and activation ops. */
export const ELEMENTWISE = `
model Arith {
  input x: [B, 4, 8]
  input y: [B, 4, 8]
  input v: [8]
  input col: [B, 4, 1]
  input ids: [B, 4] int64
  input jds: [B, 4] int64
  forward {
    output add_b = x + v
    output sub_s = x - 1.5
    output rsub = 2.0 - col
    output mul_b = x * col
    output div_f = x / (abs(y) + 1.0)
    output div_i = ids / (jds + 1)
    output pow_f = abs(x) ** 1.5
    output pow_sq = x ** 2.0
    output pow_cube = x ** 3.0
    output max_b = maximum(x, v)
    output min_b = minimum(x, col)
    output add_i = ids + jds * 3 - 1
    output mul_i = ids * jds
    output max_i = maximum(ids, jds)
  }
}
model Compare {
  input x: [B, 4, 8]
  input y: [B, 4, 8]
  input ids: [B, 4] int64
  input m: [B, 4, 8] bool
  forward {
    output eq = x == y
    output ne = x != x * 1.0
    output lt = x < y
    output le = x <= 0.0
    output gt = x > y
    output ge = ids >= 1
    output ieq = ids == 0
    output land = logical_and(x > 0.0, m)
    output lor = logical_or(x > 0.5, logical_not(m))
    output wh = where(x > y, x, y)
    output wh_b = where(m, x, -1.0)
    output wh_i = where(ids > 0, ids, 7)
    output fill = masked_fill(x, x > 0.5, -1.0)
    output fill_b = masked_fill(x, m, 2.5)
    output cl = clamp(x, min: -0.5) + clamp(x, max: 0.5) + clamp(x, -0.1, 0.1)
    output cl_i = clamp(ids, 0, 0)
  }
}
model Unary {
  input x: [B, 4, 8]
  input ids: [B, 4] int64
  forward {
    output ng = neg(x)
    output ab = abs(x)
    output ex = exp(x * 3.0)
    output lg = log(abs(x) + 0.01)
    output sq = sqrt(abs(x))
    output rs = rsqrt(abs(x) + 0.1)
    output sn = sin(x * 4.0)
    output cs = cos(x * 4.0)
    output ef = erf(x * 2.0)
    output ex_i = exp(ids)
    output sq_i = sqrt(ids)
    output ng_i = neg(ids)
    output ab_i = abs(ids - 1)
  }
}
model Casts {
  input x: [B, 4, 8]
  input ids: [B, 4] int64
  input m: [B, 4] bool
  forward {
    output f2i = cast(x * 5.0, int64)
    output i2f = cast(ids, float32) * 0.5
    output i2b = cast(ids, bool)
    output b2f = cast(m, float32)
    output b2i = cast(m, int64) + ids
    output f2b = cast(x > 0.0, float32)
  }
}
model Activations {
  input x: [B, 4, 8]
  forward {
    let s = x * 5.0
    output relu_o = relu(s)
    output gelu_o = gelu(s)
    output gelu_t = gelu(s, approximate: "tanh")
    output qgelu = quick_gelu(s)
    output silu_o = silu(s)
    output sig = sigmoid(s)
    output th = tanh(s)
    output th_big = tanh(s * 10.0)
    output sp = softplus(s * 5.0)
    output sm = softmax(s)
    output sm1 = softmax(s, axis: 1)
    output sm0 = softmax(s, axis: 0)
    output lsm = log_softmax(s)
    output lsm1 = log_softmax(s, axis: -2)
    output chain = relu(s) * 2.0 + sigmoid(s) - tanh(x)
  }
}
model Misc {
  input x: [B, 4, 8]
  input ids: [B, 4] int64
  param table: [10, 8] init normal(std: 1.0)
  buffer running: [8] init ones
  forward {
    output upd = update_buffer(running, 0.9 * running + 0.1 * mean(x, [0, 1]))
    output dr = dropout(x, 0.1)
    output idn = identity(x) + 1.0
    output sg = stop_gradient(x) * 2.0
    output oh = one_hot(ids, 3)
    output oh_i = one_hot(ids, 4, dtype: "int64")
    output emb = embedding(ids, table)
  }
}
`;

/** webgpu reduction and normalisation ops. */
export const REDUCTIONS = `
model Reductions {
  input x: [B, 4, 6]
  input ids: [B, 4] int64
  input m: [B, 4] bool
  forward {
    output s1 = sum(x, [1])
    output s_neg = sum(x, [-1], keepdim: true)
    output s_all = sum(x)
    output s_two = sum(x, [0, 2])
    output mn = mean(x, [1, 2], keepdim: true)
    output mn_all = mean(x)
    output mx = max(x, [2])
    output mi = min(x, [0], keepdim: true)
    output pr = prod(x + 1.0, [1])
    output lse = logsumexp(x * 4.0, [2])
    output lse_all = logsumexp(x, keepdim: true)
    output si = sum(ids, [1])
    output sb = sum(m, [1])
    output mxi = max(ids, [1])
    output pi = prod(ids + 1, [1])
  }
}
model ArgReductions {
  input x: [B, 4, 6]
  forward {
    let ties = cast(cast(x * 2.0, int64), float32)
    output am = argmax(x, -1)
    output an = argmin(x, 1, keepdim: true)
    output amt = argmax(ties, 2)
    output ant = argmin(ties, 1)
    output am0 = argmax(x, 0)
  }
}
model Norms {
  param w: [8] init normal(mean: 1.0, std: 0.3)
  param b: [8] init normal(std: 0.3)
  param rm: [3] init normal(std: 0.1)
  param rv: [3] init uniform(0.5, 1.5)
  param cw: [3] init normal(mean: 1.0, std: 0.3)
  param cb: [3] init normal(std: 0.3)
  input x: [B, 4, 8]
  input y: [B, 4, 8]
  input img: [B, 3, 4, 4]
  input c: [B, 6, 5]
  forward {
    output ln = layer_norm(x * 2.0, w, b)
    output ln_plain = layer_norm(x, eps: 0.001)
    output ln_w = layer_norm(x, w)
    output rms = rms_norm(x, w)
    output rms_plain = rms_norm(x * 3.0)
    output bn = batch_norm(img, cw, cb, rm, rv)
    output bn_plain = batch_norm(img, mean: rm, var: rv)
    output gn = group_norm(c, 2)
    output gn_img = group_norm(img, 3, cw, cb)
    output gn_one = group_norm(img, 1)
    output nm = normalize(x)
    output nm1 = normalize(x, axis: 1, p: 1)
    output nm3 = normalize(x, p: 3)
    output cs = cosine_similarity(x, y)
    output cs_b = cosine_similarity(x, y[0])
    output cs_ax = cosine_similarity(x, y, axis: 1)
  }
}
`;

/** webgpu linear algebra, attention and loss ops. */
export const LINALG = `
model LinAlg {
  param w: [6, 8] init normal(std: 0.5)
  param bias: [6] init normal(std: 0.5)
  input x: [B, 4, 8]
  input y: [B, 4, 8]
  input z: [4, 8]
  input vec: [8]
  input a: [3, 1, 4, 8]
  forward {
    output mm_t = x @ y.T
    output mm_b = x @ z.T
    output mm_bc = a @ transpose(x, 1, 2)
    output mv = x @ vec
    output vm = vec @ y.T
    output vv = vec @ vec
    output lin = linear(x, w, bias)
    output lin_nb = linear(x, w)
    output lin_2d = linear(x[:, 0], w, bias)
    output lin_ep = gelu(linear(x, w, bias)) + 1.0
    output mm_ep = relu(x @ y.T) * 2.0 + x @ y.T
  }
}
model Attention {
  input q: [B, 5, 8]
  input k: [B, 6, 8]
  input v: [B, 6, 4]
  input qq: [B, 5, 8]
  input keep: [B, 6] bool
  input bias_m: [B, 1, 5, 6]
  forward {
    output plain = attention(q, k, v, heads: 2)
    output causal = attention(q, qq, qq, heads: 4, causal: true)
    output masked = attention(q, k, v, mask: reshape(keep, [B, 1, 1, 6]), heads: 2)
    output additive = attention(q, k, v, mask: bias_m, heads: 2)
    output scaled = attention(q, k, v, heads: 1, scale: 0.5)
    output sdp = scaled_dot_product(reshape(q, [B, 5, 2, 4]), reshape(qq, [B, 5, 2, 4]), reshape(qq, [B, 5, 2, 4]), causal: true)
    output sdp_b = scaled_dot_product(reshape(q, [B, 1, 5, 8]), reshape(k, [1, B, 6, 8]), reshape(v, [1, B, 6, 4]))
    output sdp_m = scaled_dot_product(q, k, v, mask: reshape(keep, [B, 1, 6]))
  }
}
model Losses {
  input logits: [B, 5]
  input t: [B] int64
  input seq: [B, 5, 3]
  input st: [B, 3] int64
  input probs: [B, 5]
  input x: [B, 4, 8]
  input y: [B, 4, 8]
  forward {
    loss ce = cross_entropy(logits * 3.0, t)
    loss smooth = cross_entropy(logits * 3.0, t, label_smoothing: 0.1)
    loss ignored = cross_entropy(logits * 3.0, t, ignore_index: 0)
    loss summed = cross_entropy(logits, t, reduction: "sum")
    output ce_none = cross_entropy(logits, t, reduction: "none", ignore_index: 1)
    loss seq_ce = cross_entropy(seq, st)
    loss last_axis = cross_entropy(permute(seq, [0, 2, 1]), st, axis: -1, label_smoothing: 0.2)
    loss soft = cross_entropy(logits, softmax(probs * 3.0))
    loss soft_smooth = cross_entropy(logits, softmax(probs), label_smoothing: 0.1, reduction: "sum")
    loss bce = binary_cross_entropy_with_logits(x * 4.0, sigmoid(y))
    output bce_none = binary_cross_entropy_with_logits(x * 20.0, sigmoid(y), reduction: "none")
    loss bce_sum = binary_cross_entropy_with_logits(x, sigmoid(y), reduction: "sum")
    loss kl = kl_div(log_softmax(x), softmax(y))
    loss kl_sum = kl_div(log_softmax(x), softmax(y), reduction: "sum")
    loss kl_mean = kl_div(log_softmax(x), relu(y), reduction: "mean")
    output kl_none = kl_div(log_softmax(x), relu(y), reduction: "none")
    loss l2 = mse(x, y)
    loss l2_sum = mse(x, y, reduction: "sum")
    output l2_none = mse(x, y, reduction: "none")
  }
}
`;
