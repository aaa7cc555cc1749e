# A generated chain of blocks, each holding the next: 10 levels.
block L0() { inner = L1(); forward(x: [B, 4]) -> [B, 4] { return inner(x) } }
block L1() { inner = L2(); forward(x: [B, 4]) -> [B, 4] { return inner(x) } }
block L2() { inner = L3(); forward(x: [B, 4]) -> [B, 4] { return inner(x) } }
block L3() { inner = L4(); forward(x: [B, 4]) -> [B, 4] { return inner(x) } }
block L4() { inner = L5(); forward(x: [B, 4]) -> [B, 4] { return inner(x) } }
block L5() { inner = L6(); forward(x: [B, 4]) -> [B, 4] { return inner(x) } }
block L6() { inner = L7(); forward(x: [B, 4]) -> [B, 4] { return inner(x) } }
block L7() { inner = L8(); forward(x: [B, 4]) -> [B, 4] { return inner(x) } }
block L8() { inner = L9(); forward(x: [B, 4]) -> [B, 4] { return inner(x) } }
block L9() { forward(x: [B, 4]) -> [B, 4] { return x } }
