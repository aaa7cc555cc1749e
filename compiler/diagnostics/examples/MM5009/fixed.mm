## GPT-4 with vision: the literature names it, its architecture was never published.
model GPT4V = unpublished "GPT-4V"
