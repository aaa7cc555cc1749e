# A loop over range(1e9): a budget on list lengths, at the range.
# expect: MM7003 at 10:14
import "lib/layers.mm"

model M {
  l = Linear(4, 4)
  input x: [B, 4]
  forward {
    let h = x
    for i in range(1_000_000_000) {
      h = l(h)
    }
    output y: [B, 4] = h
  }
}
