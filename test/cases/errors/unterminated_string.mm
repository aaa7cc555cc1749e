# A string literal that is not closed before the end of the line.
# expect: MM1002 at 4:8

import "lib/text_blocks.mm

model Captioner(vocab: Int = 1000, width: Int = 64) {
  embed = TokenEmbedding(vocab, width)
  input tokens: [B, 16] int64
  forward {
    output features = embed(tokens)
  }
}
