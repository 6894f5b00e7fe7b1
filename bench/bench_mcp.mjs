// The gateway's added latency: N sequential tools/call echo requests to
// @modelcontextprotocol/server-everything, directly, through `airlock mcp`
// (ledger durable: the request's record is fsync'd before it is forwarded)
// and through a minimal node line relay and socat (a relay in C, when
// installed), in alternating rounds of one run; and the time of one
// fdatasync of a ledger-sized record on the same disk, alone, in the same
// rounds.  Then S concurrent sessions through airlock.  Not part of the
// tests.
//
// The S sessions go through airlock embedded (each its own ledger: one
// writer per ledger) and through one airlockd (one ledger, group commit
// across sessions: one fdatasync for a round of requests).
//
//   node bench/bench_mcp.mjs [N] [S]
import { spawn } from "node:child_process";
import { chmodSync, chownSync, closeSync, existsSync, fdatasyncSync, mkdirSync, mkdtempSync, openSync,
         rmSync, writeFileSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const require = createRequire(join(root, "tests/peers/package.json"));
const everything = join(dirname(require.resolve("@modelcontextprotocol/server-everything/package.json")), "dist/index.js");
const airlock = process.env.AIRLOCK_BIN ?? join(root, "build/airlock");
const N = Number(process.argv[2] ?? 5000), S = Number(process.argv[3] ?? 32);
const scratch = mkdtempSync(join(process.env.BENCH_DIR ?? join(root, "build"), "bench-mcp-"));
const policies = join(scratch, "permit.cedar");
writeFileSync(policies, "permit (principal, action, resource);\n");
const config = join(root, "tests/mcp/everything.json");

class Session {
  constructor(cmd, args) {
    this.p = spawn(cmd, args, { stdio: ["pipe", "pipe", "ignore"] });
    this.buf = "";
    this.waiting = new Map();
    this.p.stdout.on("data", (d) => {
      this.buf += d;
      let k;
      while ((k = this.buf.indexOf("\n")) >= 0) {
        const m = JSON.parse(this.buf.slice(0, k));
        this.buf = this.buf.slice(k + 1);
        const w = m.method ? null : this.waiting.get(m.id);
        if (w) { this.waiting.delete(m.id); w(m); }
      }
    });
    this.id = 0;
  }
  call(method, params) {
    const id = ++this.id;
    return new Promise((res) => {
      this.waiting.set(id, res);
      this.p.stdin.write(JSON.stringify({ jsonrpc: "2.0", id, method, params }) + "\n");
    });
  }
  async open() {
    await this.call("initialize", { protocolVersion: "2025-11-25", capabilities: {},
                                    clientInfo: { name: "bench", version: "1" } });
    this.p.stdin.write(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }) + "\n");
    await this.call("tools/list", {});
    return this;
  }
  echo(i) { return this.call("tools/call", { name: "echo", arguments: { message: `m${i}` } }); }
  close() { this.p.stdin.end(); this.p.kill(); }
}

const socat = ["/usr/bin/socat", "/bin/socat"].find((f) => existsSync(f));
const targets = {
  direct: () => new Session(process.execPath, [everything]),
  airlock: (d) => new Session(airlock, ["mcp", "--dir", d, "--config", config, "--policies", policies,
                                        "--agent", "bench", "--", process.execPath, everything]),
  relay: () => new Session(process.execPath, [join(here, "relay.mjs"), "--", process.execPath, everything]),
  // A relay in C: what one more process in the path costs by itself.
  ...(socat && { socat: () => new Session(socat, ["-b", "1048576", "STDIO", `EXEC:${process.execPath} ${everything}`]) }),
};

const q = (a, f) => a[Math.min(a.length - 1, Math.floor(a.length * f))];
const us = (ns) => Number(ns) / 1000;

const ROUND = 250; /* calls to one target, then the next, then again */

/* N calls to every target in alternating rounds of ROUND, so that whatever
 * else the machine does weighs on all alike; fdatasync probes likewise. */
async function sequential() {
  const names = Object.keys(targets);
  const ss = {}, t = {};
  for (const name of names) {
    ss[name] = await targets[name](mkdtempSync(join(scratch, `${name}-`))).open();
    for (let i = 0; i < 200; i++) await ss[name].echo(i);          // warm up
    t[name] = [];
  }
  const probe = openSync(join(scratch, "fsync-probe"), "a");
  t["fdatasync alone"] = [];
  for (let done = 0; done < N; done += ROUND) {
    for (const name of names) {
      for (let i = done; i < Math.min(N, done + ROUND); i++) {
        const t0 = process.hrtime.bigint();
        const r = await ss[name].echo(i);
        t[name].push(us(process.hrtime.bigint() - t0));
        if (r.error || r.result?.isError) throw new Error(`${name}: ${JSON.stringify(r)}`);
      }
    }
    t["fdatasync alone"].push(...fsyncs(probe, Math.min(ROUND, N - done)));
  }
  closeSync(probe);
  for (const name of names) ss[name].close();
  for (const a of Object.values(t)) a.sort((x, y) => x - y);
  return t;
}

function fsyncs(f, n) {
  const rec = Buffer.alloc(400, 120);
  const t = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    writeSync(f, rec);
    fdatasyncSync(f);
    t.push(us(process.hrtime.bigint() - t0));
  }
  return t;
}

async function concurrent(name) {
  const ss = await Promise.all(Array.from({ length: S }, (_, k) =>
    targets[name](mkdtempSync(join(scratch, `${name}-c${k}-`))).open()));
  const per = Math.max(50, Math.floor(N / S));
  const t = [];
  await Promise.all(ss.map(async (s) => {
    for (let i = 0; i < 20; i++) await s.echo(i);
    for (let i = 0; i < per; i++) {
      const t0 = process.hrtime.bigint();
      await s.echo(i);
      t.push(us(process.hrtime.bigint() - t0));
    }
  }));
  ss.forEach((s) => s.close());
  return t.sort((a, b) => a - b);
}

const fmt = (x) => x.toFixed(1).padStart(9);
const res = await sequential();
const fs_ = res["fdatasync alone"];
console.log(`${N} sequential tools/call echo (server-everything) each way, in alternating rounds of ${ROUND}, microseconds:`);
console.log(`  ${"".padEnd(22)}   median       p99`);
for (const [name, t] of Object.entries(res))
  console.log(`  ${name.padEnd(22)}${fmt(q(t, 0.5))}${fmt(q(t, 0.99))}`);
const add = (name, f) => q(res[name], f) - q(res.direct, f);
console.log(`added by airlock:        ${fmt(add("airlock", 0.5))}${fmt(add("airlock", 0.99))}`);
console.log(`added beyond one fsync:  ${fmt(add("airlock", 0.5) - q(fs_, 0.5))}${fmt(add("airlock", 0.99) - q(fs_, 0.99))}   (targets: 50 median, 200 p99)`);
console.log(`added by the node relay: ${fmt(add("relay", 0.5))}${fmt(add("relay", 0.99))}`);
if (res.socat) {
  console.log(`added by socat (C relay):${fmt(add("socat", 0.5))}${fmt(add("socat", 0.99))}`);
  console.log(`airlock beyond socat and one fsync: ${fmt(add("airlock", 0.5) - add("socat", 0.5) - q(fs_, 0.5))} median`);
}
/* One airlockd for the concurrent sessions (as root it runs as nobody, on a
 * home of nobody's). */
async function startDaemon() {
  const home = join(scratch, "airlockd");
  mkdirSync(home);
  const args = ["daemon", "--socket", join(home, "s"), "--dir", join(home, "data"),
                "--policies", policies, "--config", config];
  if (process.getuid() === 0) {
    chownSync(home, 65534, 65534);
    chmodSync(scratch, 0o755); /* nobody reads the policies */
    args.push("--user", "nobody");
  }
  chmodSync(home, 0o755);
  const p = spawn(airlock, args, { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  p.stderr.on("data", (d) => (err += d));
  for (let i = 0; i < 500 && !err.includes("listening on"); i++) {
    if (p.exitCode !== null) throw new Error(`airlockd: ${err}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { p, sock: join(home, "s") };
}

const daemon = await startDaemon();
targets.airlockd = () => new Session(airlock, ["mcp", "--daemon", daemon.sock, "--agent", "bench",
                                               "--", process.execPath, everything]);
const cd = await concurrent("direct"), ca = await concurrent("airlock");
const cdd = await concurrent("direct"), cad = await concurrent("airlockd");
daemon.p.kill("SIGTERM");
console.log(`${S} concurrent sessions, microseconds:`);
console.log(`  direct                          median ${fmt(q(cd, 0.5))}  p99 ${fmt(q(cd, 0.99))}`);
console.log(`  airlock, embedded (own ledgers) median ${fmt(q(ca, 0.5))}  p99 ${fmt(q(ca, 0.99))}`);
console.log(`  added                           median ${fmt(q(ca, 0.5) - q(cd, 0.5))}  p99 ${fmt(q(ca, 0.99) - q(cd, 0.99))}`);
console.log(`  direct, again                   median ${fmt(q(cdd, 0.5))}  p99 ${fmt(q(cdd, 0.99))}`);
console.log(`  airlock via one airlockd        median ${fmt(q(cad, 0.5))}  p99 ${fmt(q(cad, 0.99))}`);
console.log(`  added                           median ${fmt(q(cad, 0.5) - q(cdd, 0.5))}  p99 ${fmt(q(cad, 0.99) - q(cdd, 0.99))}`);
console.log(`  (one fsync alone: median ${fmt(q(fs_, 0.5))})`);
// The sessions' ledgers go with the run (BENCH_KEEP=1 keeps them).
if (!process.env.BENCH_KEEP) rmSync(scratch, { recursive: true, force: true });
process.exit(0);
