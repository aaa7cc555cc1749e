model Sum {
  input x: [B, 4]
  input y: [B, 4]
  input z: [B, 4]
  input w: [B, 4]
  forward {
    let a = x + y
    let b = x + z
    let c = x + w
    output out: [B, 4] = a + b + c
  }
}
