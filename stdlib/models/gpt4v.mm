## GPT-4V (OpenAI, 2023): GPT-4 with image input. The survey discusses it, but OpenAI
## published no architecture, sizes, or training structure, so mm defines nothing for it:
## anything written here would be a guess presented as fact. `mm list` shows the entry;
## compiling it reports MM5009.
model GPT_4V = unpublished "GPT-4V"
