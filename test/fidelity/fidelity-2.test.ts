// The fidelity tier (fidelity.ts), shard 2 of 2: the suite's two workers share its cases.
import { fidelitySuite } from "./fidelity.js";

fidelitySuite(2, 2);
