# A named import of something the imported file does not declare.
# The use of the name that could not be imported is reported too.
# expect: MM2006 at 6:10
# expect: MM2001 at 9:11

import { TokenEmbeding } from "lib/text_blocks.mm"

tower TextEncoder(vocab: Int = 1000, width: Int = 64) {
  embed = TokenEmbeding(vocab, width)
  forward(tokens: [B, T] int64) -> [B, T, width] {
    return embed(tokens)
  }
}
