import "main.mm"

tower TextTower(width: Int = 64) {
  proj = Linear(width, width)
  forward(x: [B, width]) -> [B, width] {
    return proj(x)
  }
}
