#!/usr/bin/env node
// A scripted agent asked to get the nightly job going again on the
// engineer's workstation: it opens the exports folder to everyone (the
// command widens access), and once told the job is done (DATA_DIR/done
// appears) narrows it again.  Through airlockd both calls wait for a
// person, the first opens an exposure, the second closes it
// (scripts/demo-held.sh, part 2 of `make demo`).
//
//   node fixer.mjs AIRLOCK DATA_DIR --daemon SOCKET
import { existsSync } from "node:fs";
import { join } from "node:path";
import { connect, WAIT as wait } from "./connect.mjs";

const [airlock, dir, ...opts] = process.argv.slice(2);
const client = await connect("workstation-fixer", airlock, dir, opts);

async function run(command) {
  const r = await client.callTool({ name: "run_command", arguments: { command } }, undefined, wait);
  const text = r.content.map((c) => c.text).join("\n");
  console.log(`agent: run_command ${command}\n  -> ${r.isError ? "REFUSED: " : ""}${text}`);
  return !r.isError;
}

const opened = await run("chmod -R 777 /srv/exports");
while (opened && !existsSync(join(dir, "done")))
  await new Promise((r) => setTimeout(r, 50));
const narrowed = opened && await run("chmod -R 750 /srv/exports");
await client.close();
process.exit(opened && narrowed ? 0 : 3);
