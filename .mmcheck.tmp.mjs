import { COMMANDS } from "./dist/compiler/cli/commands.js";
import { Session } from "./dist/compiler/driver/session.js";
const check = COMMANDS.find((c) => c.name === "check");
const session = new Session();
for (const f of process.argv.slice(2)) {
  let err = "";
  const code = check.run({ positionals: [f], flags: {}, io: { out: (s) => process.stdout.write(s), err: (s) => (err += s), color: false }, session });
  process.stdout.write(`=== ${f}\n${err}exit: ${code}\n`);
}
