# Nested repeats whose product is 1e12: one error, at the repeat that crosses the budget.
# expect: MM7001 at 6:19
import "lib/layers.mm"

block Stack(n: Int) {
  layers = repeat n Linear(4, 4)
  forward(x: [B, 4]) -> [B, 4] {
    return layers(x)
  }
}

model M {
  s = repeat 1_000_000 Stack(1_000_000)
  input x: [B, 4]
  forward {
    output y: [B, 4] = s(x)
  }
}
