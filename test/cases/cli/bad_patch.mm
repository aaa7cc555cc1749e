import "../../../examples/clip.mm"

model BadPatch {
  vision = VisionTransformer(image: 225)
}
