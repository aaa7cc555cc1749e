# A model's `loss` statement that is a [B, 10] tensor: the reduction was forgotten.
# expect: MM5003 at 13:5

model DigitClassifier(width: Int = 64, classes: Int = 10) {
  param w1: [width, 784] init kaiming_uniform
  param w2: [classes, width] init zeros
  input pixels: [B, 784]
  input labels: [B, classes]
  forward {
    let logits = linear(relu(linear(pixels, w1)), w2)
    output probs = softmax(logits)
    let per_class = (softmax(logits) - labels) ** 2
    loss mse = per_class
  }
}
