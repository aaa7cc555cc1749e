# Two blocks that contain each other: ImageBranch -> TextBranch -> ImageBranch.
# expect: MM3006 at 17:10

import "lib/layers.mm"

fusion ImageBranch(width: Int = 64) {
  proj = Linear(width, width)
  other = TextBranch(width)
  forward(x: [B, T, width]) -> [B, T, width] {
    return other(proj(x))
  }
}

fusion TextBranch(width: Int = 64) {
  proj = Linear(width, width)
  other = ImageBranch(width)
  forward(x: [B, T, width]) -> [B, T, width] {
    return other(proj(x))
  }
}
