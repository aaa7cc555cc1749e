# Contrastive and matching objectives of dual-tower and fusion models:
#
#   ContrastiveLoss        CLIP's symmetric InfoNCE over a square similarity matrix (ITC)
#   InfoNCE                one direction of ITC against (soft) targets: ALBEF's ITA, whose
#                          columns include a feature queue; TCL's CMA and IMC
#   MomentumTargets        ALBEF's momentum-distillation targets (softened by the EMA model)
#   HardNegatives          ITM hard-negative selection from the ITC similarities
#   ITMLoss                image-text matching on (positive, hard-negative) pairs
#   MaskedLMLoss           MLM cross-entropy, optionally distilled towards soft labels
#   LocalMutualInformation TCL's LMI: global feature vs local (patch / token) features
#   WordPatchAlignment     ViLT's WPA: optimal transport (IPOT) between words and patches
#
# Temperatures are learned by the models that use these losses (CLIP's `logit_scale`,
# ALBEF's `temp`), so the losses take similarities or logits already scaled.

## CLIP's loss (HF `clip_loss`): cross-entropy of the similarity matrix against the diagonal,
## both ways (image-to-text rows, text-to-image columns), averaged.
loss ContrastiveLoss() {
  forward(logits: [N, N]) -> [] {
    let targets = arange(N)
    return (cross_entropy(logits, targets) + cross_entropy(logits.T, targets)) / 2.0
  }
}

## One direction of InfoNCE with soft targets: -sum(log_softmax(sim) * targets) per row,
## averaged over rows. `sim` has a column per candidate (the batch, then a queue).
loss InfoNCE() {
  forward(sim: [N, M], targets: [N, M]) -> [] {
    return mean(-sum(log_softmax(sim, axis: 1) * targets, [1]))
  }
}

## ALBEF's momentum distillation: the targets mix the EMA model's softmax with the one-hot
## positives (row i's positive is column i), weighted by alpha.
block MomentumTargets(alpha: Float = 0.4) {
  forward(sim_m: [N, M]) -> [N, M] {
    let positives = one_hot(arange(N), M)
    return stop_gradient(alpha * softmax(sim_m, axis: 1) + (1.0 - alpha) * positives)
  }
}

## ITM hard negatives from the ITC similarities (ALBEF): softmax over the in-batch
## similarities, the positive (diagonal) zeroed, then for each image the text it confuses
## most, and for each text the image. ALBEF samples from these weights
## (torch.multinomial); mm has no random sampling, so this takes the most likely negative
## (argmax), the deterministic limit of the same distribution.
block HardNegatives() {
  forward(sim_i2t: [N, N], sim_t2i: [N, N]) -> (image_for_text: [N] int64, text_for_image: [N] int64) {
    let eye = eq(unsqueeze(arange(N), 1), unsqueeze(arange(N), 0))
    let weights_i2t = stop_gradient(masked_fill(softmax(sim_i2t, axis: 1), eye, 0.0))
    let weights_t2i = stop_gradient(masked_fill(softmax(sim_t2i, axis: 1), eye, 0.0))
    image_for_text = argmax(weights_t2i, axis: 1)
    text_for_image = argmax(weights_i2t, axis: 1)
  }
}

## Image-text matching: a 2-way classifier's logits for N positive pairs (label 1) and M
## negative pairs (label 0).
loss ITMLoss() {
  forward(positive: [N, 2], negative: [M, 2]) -> [] {
    let logits = concat([positive, negative], axis: 0)
    let labels = concat([ones([N], dtype: "int64"), zeros([M], dtype: "int64")], axis: 0)
    return cross_entropy(logits, labels)
  }
}

## Masked language modelling: cross-entropy at the masked positions (labels -100 elsewhere).
## With `soft_labels` (the momentum model's softmax), ALBEF's distilled form:
## (1 - alpha) * CE + alpha * the soft cross-entropy averaged over the masked positions.
loss MaskedLMLoss(alpha: Float = 0.0) {
  forward(logits: [B, T, V], labels: [B, T] int64, soft_labels: [B, T, V] = none) -> [] {
    let ce = cross_entropy(logits, labels, axis: -1, ignore_index: -100)
    if soft_labels == none {
      return ce
    }
    let masked = cast(ne(labels, -100), "float32")
    let distill = -sum(log_softmax(logits, axis: -1) * stop_gradient(soft_labels), [-1])   # [B, T]
    return (1.0 - alpha) * ce + alpha * sum(distill * masked) / sum(masked)
  }
}

## TCL's local mutual information (in-batch global-to-local InfoNCE, `in_batch_g2l_loss`):
## each local feature l[i, j] must pick its own sample's global feature m[i] against every
## local feature of the other samples. `mask` [N, L] (nonzero = real token) drops text padding:
## a padded position's positive logit is set to +10000 and its negatives to -10000, and the
## loss is summed over positions and divided by the number of real ones, as the official code
## does.
loss LocalMutualInformation() {
  forward(local: [N, L, D], global: [N, D], temp: [], mask: [N, L] = none) -> [] {
    let u_p = squeeze(local @ unsqueeze(global, 2), 2) / temp                 # [N, L]
    let u_n = reshape(global @ reshape(local, [N * L, D]).T, [N, N, L]) / temp   # [i, k, l]: m_i . l_{k,l}
    let eye = unsqueeze(eq(unsqueeze(arange(N), 1), unsqueeze(arange(N), 0)), 2)
    u_n = masked_fill(u_n, eye, -10000.0)
    if mask != none {
      let keep = ne(mask, 0)
      u_p = where(keep, u_p, 10000.0)
      u_n = masked_fill(u_n, unsqueeze(logical_not(keep), 0), -10000.0)
    }
    # Row (i, j): the positive first, then all N * L negatives of sample i's global feature.
    let negatives = expand(reshape(u_n, [N, 1, N * L]), [N, L, N * L])
    let logits = concat([unsqueeze(u_p, 2), negatives], axis: 2)             # [N, L, 1 + N * L]
    let nll = -index(log_softmax(logits, axis: 2), 2, 0)                     # [N, L]
    if mask == none {
      return mean(nll)
    }
    return mean(sum(nll, [1]) / cast(sum(ne(mask, 0), [1]), "float32"))
  }
}

## ViLT's word-patch alignment (from UNITER): the inexact proximal-point optimal transport
## (IPOT, beta 0.5, 50 iterations, k = 1) between text and image features under the cosine
## cost; the transport distance is lowered for matched pairs and raised for mismatched ones.
## Masks are nonzero for the tokens that take part (ViLT drops [CLS], [SEP] and padding).
loss WordPatchAlignment(beta: Float = 0.5, iterations: Int = 50, k: Int = 1) {
  forward(txt: [B, T, D], img: [B, N, D], txt_mask: [B, T] bool, img_mask: [B, N] bool,
          itm_labels: [B] int64) -> [] {
    let txt_pad = logical_not(txt_mask)
    let img_pad = logical_not(img_mask)
    let joint_pad = logical_or(unsqueeze(txt_pad, 2), unsqueeze(img_pad, 1))             # [B, T, N]
    let cost = masked_fill(1.0 - normalize(txt, eps: 1e-5) @ normalize(img, eps: 1e-5).T, joint_pad, 0.0)   # [B, T, N]
    let txt_len = cast(sum(txt_mask, [1]), "float32")
    let img_len = cast(sum(img_mask, [1]), "float32")

    # IPOT on the detached cost; the plan is [B, N, T] as in the reference code.
    let pad_nt = transpose(joint_pad, 1, 2)
    let a = masked_fill(exp(-transpose(stop_gradient(cost), 1, 2) / beta), pad_nt, 0.0)
    let plan = masked_fill(ones([B, N, T]), pad_nt, 0.0)
    let sigma = masked_fill(ones([B, T]) / unsqueeze(txt_len, 1), txt_pad, 0.0)
    let x_len = reshape(txt_len, [B, 1, 1])
    let y_len = reshape(img_len, [B, 1, 1])
    let x_mask = unsqueeze(cast(txt_pad, "float32") * 10000.0, 1)                      # [B, 1, T]
    let y_mask = unsqueeze(cast(img_pad, "float32") * 10000.0, 1)                      # [B, 1, N]
    let delta = ones([B, 1, N])
    for step in range(iterations) {
      let q = a * plan                                                                  # [B, N, T]
      sigma = reshape(sigma, [B, T, 1])
      for inner in range(k) {
        delta = 1.0 / (y_len * reshape(q @ sigma, [B, 1, N]) + y_mask)
        sigma = 1.0 / (x_len * (delta @ q) + x_mask)                                    # [B, 1, T]
      }
      plan = reshape(delta, [B, N, 1]) * q * sigma
    }
    plan = stop_gradient(masked_fill(plan, pad_nt, 0.0))

    # trace(cost @ plan) per pair; + for matched pairs, - for mismatched, over the batch.
    let distance = sum(cost * transpose(plan, 1, 2), [1, 2])                           # [B]
    let sign = where(eq(itm_labels, 1), 1.0, -1.0)
    return mean(sign * distance)
  }
}

## ALBEF's `_dequeue_and_enqueue` (also TCL's and BLIP's): the batch's momentum features
## written into the queue's columns ptr .. ptr + N - 1, and the pointer advanced modulo the
## queue length. The official code asserts queue % N == 0, so a write never wraps.
block QueueWrite(queue: Int) {
  forward(features: [D, queue], batch: [N, D], ptr: [1] int64) -> (features: [D, queue], ptr: [1] int64) {
    let slots = one_hot(ptr + arange(N), queue)                       # [N, queue]
    let kept = 1.0 - sum(slots, [0], keepdim: true)                   # [1, queue]
    let next = ptr + sum(ones([N], dtype: "int64"))                   # the batch size as a tensor
    features = features * kept + batch.T @ slots
    ptr = where(ge(next, queue), next - queue, next)
  }
}
