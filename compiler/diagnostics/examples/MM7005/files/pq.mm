block P() { forward(x: [B, 4]) -> [B, 4] { return x } }
block Q() { forward(x: [B, 4]) -> [B, 4] { return x } }
