# An experts block without a route: reported once, at the declaration, not as "has no forward" at each call.
# expect: MM5005 at 5:9
import "lib/layers.mm"

experts Pair(width: Int) {
  a = Linear(width, width)
  b = Linear(width, width)
}

model M {
  e = Pair(4)
  input x: [B, 4]
  forward {
    output y: [B, 4] = e(x) + e(x)
  }
}
