# A library with a mistake inside a block (for error_in_library_block.mm): the slice keeps
# 3 features where the residual needs all of them.
import "std/nn/layers.mm"

block Mixer(width: Int) {
  fc = Linear(width, width)
  forward(x: [B, T, width]) -> [B, T, width] {
    return fc(x) + x[:, :, :3]
  }
}

block Tower(width: Int, depth: Int) {
  layers = repeat depth Mixer(width)
  forward(x: [B, T, width]) -> [B, T, width] {
    return layers(x)
  }
}
