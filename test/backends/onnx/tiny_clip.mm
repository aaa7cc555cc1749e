# A CLIP small enough for runtime tests: the structure of examples/clip.mm, tiny sizes.
import { CLIP } from "../../../examples/clip.mm"

model TinyCLIP = CLIP(embed: 32) with {
  vision.image = 32
  vision.patch = 8
  vision.width = 64
  vision.layers = 2
  vision.heads = 4
  text.vocab = 100
  text.context = 16
  text.width = 64
  text.layers = 2
  text.heads = 4
}
