# The same parameter passed by position and by name.
# expect: MM3011 at 7:33

import "lib/layers.mm"

head VQAHead(width: Int = 64, answers: Int = 100) {
  proj = Linear(width, answers, in_features: width)
  forward(x: [B, width]) -> [B, answers] {
    return proj(x)
  }
}
