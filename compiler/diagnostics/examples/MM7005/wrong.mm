import "./p.mm"
import "./q.mm"

model Net {
  a = P()
  b = Q()
  input x: [B, 4]
  forward {
    output y: [B, 4] = a(x) + b(x)
  }
}
