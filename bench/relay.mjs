// A minimal line relay in node: the baseline a proxy is compared with.
//   node relay.mjs -- COMMAND [ARG...]
import { spawn } from "node:child_process";

const i = process.argv.indexOf("--");
const child = spawn(process.argv[i + 1], process.argv.slice(i + 2), { stdio: ["pipe", "pipe", "inherit"] });
process.stdin.pipe(child.stdin);
child.stdout.pipe(process.stdout);
child.on("exit", (code) => process.exit(code ?? 1));
