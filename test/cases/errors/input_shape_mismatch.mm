# A projector built for 768-wide vision features receives the 1024-wide features of a ViT-L.
# expect: MM4001 at 19:38

import "lib/layers.mm"

tower VisionTower(width: Int = 1024) {
  proj = Linear(588, width)
  forward(patches: [B, N, 588]) -> [B, N, width] {
    return proj(patches)
  }
}

model LLaVAStyle(llm_width: Int = 256) {
  vision = VisionTower()
  projector = MLP(768, llm_width)
  input patches: [B, 576, 588]
  forward {
    let features = vision(patches)
    output visual_tokens = projector(features)
  }
}
