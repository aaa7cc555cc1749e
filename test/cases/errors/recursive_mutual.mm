# Two blocks that contain each other: ImageBranch -> TextBranch -> ImageBranch.
# Both blocks can stand alone, so the cycle is reported once from each.
# expect: MM3006 at 10:11
# expect: MM3006 at 18:11

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
