# A named import of something the imported file does not declare.
# expect: MM2006 at 4:10

import { TokenEmbeding } from "lib/text_blocks.mm"

tower TextEncoder(vocab: Int = 1000, width: Int = 64) {
  embed = TokenEmbeding(vocab, width)
  forward(tokens: [B, T] int64) -> [B, T, width] {
    return embed(tokens)
  }
}
