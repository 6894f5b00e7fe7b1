// A server that stops answering: the peer for the gateway's limits on
// requests in flight and calls waiting for the tool list.  It answers
// initialize; with STALL=list it never answers tools/list, with STALL=all it
// answers tools/list (one tool) and nothing after; with STALL=pages every
// tools/list page names a next one.  With STALL_LOG set, the method of each
// message it receives is appended to that file.
import { appendFileSync } from "node:fs";
import { createInterface } from "node:readline";

const mode = process.env.STALL ?? "all";
const send = (m) => process.stdout.write(JSON.stringify({ jsonrpc: "2.0", ...m }) + "\n");
for await (const line of createInterface({ input: process.stdin })) {
  const m = JSON.parse(line);
  if (process.env.STALL_LOG) appendFileSync(process.env.STALL_LOG, `${m.method ?? "response"}\n`);
  if (m.method === "initialize")
    send({ id: m.id, result: { protocolVersion: m.params.protocolVersion,
                               capabilities: { tools: {} }, serverInfo: { name: "stall", version: "1" } } });
  else if (m.method === "tools/list" && mode === "pages")
    send({ id: m.id, result: { tools: [{ name: `t${m.id}`, inputSchema: { type: "object" } }],
                               nextCursor: `after-${m.id}` } });
  else if (m.method === "tools/list" && mode !== "list")
    send({ id: m.id, result: { tools: [{ name: "wait", inputSchema: { type: "object" } }] } });
}
