import "layers.mm"

head Classifier(width: Int = 64) {
  fc = Linear(width, 10)
  forward(x: [B, width]) -> [B, 10] {
    return fc(x)
  }
}
