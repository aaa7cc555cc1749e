import "./table.mm"

model Net {
  t = Table()
  input x: [B, 4]
  forward {
    output y: [B, 4] = t(x)
  }
}
