# Helper for import_cycle.mm (not a case itself): imports the case back.

import "../import_cycle.mm"

fusion ConcatFusion(width: Int) {
  param proj: [width, 2 * width] init xavier_uniform
  forward(a: [B, T, width], b: [B, T, width]) -> [B, T, width] {
    return linear(concat([a, b], axis: -1), proj)
  }
}
