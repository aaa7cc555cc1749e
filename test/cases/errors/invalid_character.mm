# `&` is not an operator: logical and is written `&&`.
# expect: MM1003 at 6:26

block MaskedPool(width: Int = 64) {
  forward(x: [B, T, width], mask: [B, T] bool) -> [B, width] {
    let keep = cast(mask & (sum(x, axes: [-1]) != 0.0), float32)
    let pooled = sum(x * unsqueeze(keep, -1), axes: [1])
    return pooled / sum(keep, axes: [1], keepdim: true)
  }
}
