# A variant of a model recorded as unpublished: there is no architecture to compile.
# expect: MM5009 at 8:35

## Flamingo-style captioner from a paper that never published its architecture.
model ProprietaryCaptioner = unpublished "Proprietary Captioner"

## A smaller version of it, which cannot exist either.
model ProprietaryCaptionerSmall = ProprietaryCaptioner
