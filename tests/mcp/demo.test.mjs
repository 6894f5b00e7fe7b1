// The README's main command (`make demo` = scripts/demo.sh) as a user sees
// it: part 1, embedded, refuses the public post and the retry; part 2 (as
// root: it makes its users), through airlockd, holds both for a person, a
// colleague may not approve, security denies, and nothing reaches the forum;
// then a widening command approved by security is an exposure until it is
// narrowed again.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync } from "node:fs";
import { join } from "node:path";
import { airlock, root, tempDir } from "./helpers.mjs";

const isRoot = process.getuid() === 0;

test("the main command's demo: refused embedded; held, then denied by a person, with airlockd", () => {
  const dir = tempDir("demo");
  chmodSync(dir, 0o755); // part 2's users reach their folders below it
  const r = spawnSync(join(root, "scripts/demo.sh"), [], {
    encoding: "utf8", timeout: 120000,
    env: { ...process.env, AIRLOCK_BIN: airlock, DEMO_DIR: join(dir, "d") },
  });
  const out = r.stdout + r.stderr;
  assert.equal(r.status, 0, out);
  // Part 1: the refusals, the empty forum, the verified trail.
  assert.match(out, /REFUSED: airlock held back post_reply: what the company or the public can read needs a person's approval/);
  assert.match(out, /Nobody can approve it here \(approvals need airlockd/);
  assert.match(out, /OK: 7 entries verified/);
  if (!isRoot) {
    assert.match(out, /run it as root \(sudo scripts\/demo-held.sh\)/);
    return;
  }
  // Part 2: held, a colleague refused, security denies, both told.
  assert.match(out, /\$ \(demo-alice\) airlock approve h-[0-9a-f]+ --reason "looks fine to me"\n  airlock: approve: refused: approving a command that widens access needs a member of Group::"security"/);
  assert.match(out, /REFUSED: airlock refused post_reply: demo-sam denied it \(this would open user exports to the internet\)/);
  assert.match(out, /REFUSED: airlock refused post_reply: demo-sam denied it \(same command, smaller audience/);
  assert.equal(out.match(/nothing: no post, no command/g).length, 2);
  assert.match(out, /denial   demo-sam denied h-[0-9a-f]+: this would open user exports to the internet/);
  // Another agent opens a folder to everyone, approved by security: an
  // exposure, open until the agent narrows the folder again.
  assert.match(out, /\$ \(demo-sam\) airlock exposure --open\n  x-[0-9a-f]+  OPEN for \d+s  CHMOD-WIDEN by workstation-fixer \(for demo-agent\)/);
  assert.match(out, /closed    by Agent::"workstation-fixer": narrowed by: chmod -R 750 \/srv\/exports/);
  assert.match(out, /exposure-open exposure x-[0-9a-f]+ opened by workstation-fixer/);
  assert.match(out, /OK: 26 entries verified; checkpoint signed by/);
});
