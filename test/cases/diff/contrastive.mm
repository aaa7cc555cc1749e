# CLIP's softmax contrastive loss against SigLIP's sigmoid loss, on the same two towers:
# what `mm diff` must show as a change of math (the loss block and the ops it calls), not as
# "100% similar". Used by test/tools/diff.test.ts.
import "std/nn/layers.mm"

## CLIP: softmax cross-entropy over the similarity matrix, image→text and text→image.
loss SoftmaxContrastive() {
  forward(logits: [N, N]) -> [] {
    let targets = arange(N)
    return (cross_entropy(logits, targets) + cross_entropy(logits.T, targets)) / 2.0
  }
}

## SigLIP: an independent sigmoid per pair, +1 on the diagonal and -1 elsewhere, with a learned
## bias; -log sigmoid(z) is softplus(-z). Normalised by the batch, as in the paper.
loss SigmoidContrastive() {
  param bias: [] init const(-10.0)
  forward(logits: [N, N]) -> [] {
    let ids = arange(N)
    let labels = 2.0 * cast(eq(unsqueeze(ids, 1), unsqueeze(ids, 0)), float32) - 1.0
    return sum(softplus(-labels * (logits + bias))) / N
  }
}

model CLIPLoss(width: Int = 32) {
  image_proj = Linear(64, width, bias: false)
  text_proj = Linear(48, width, bias: false)
  param logit_scale: [] init const(2.6592)
  criterion = SoftmaxContrastive()
  input image_features: [B, 64]
  input text_features: [B, 48]
  forward {
    let logits = exp(logit_scale) * normalize(image_proj(image_features)) @ normalize(text_proj(text_features)).T
    output logits_per_image = logits
    loss itc = criterion(logits)
  }
  task pretrain { losses: itc }
}

## The same towers with SigLIP's loss: only the criterion is another block.
model SigLIPLoss = CLIPLoss with { criterion = SigmoidContrastive() }
