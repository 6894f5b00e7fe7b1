// A server that stops answering: the peer for the gateway's limits on
// requests in flight and calls waiting for the tool list.  It answers
// initialize; with STALL=list it never answers tools/list, with STALL=all it
// answers tools/list (one tool) and nothing after.
import { createInterface } from "node:readline";

const mode = process.env.STALL ?? "all";
const send = (m) => process.stdout.write(JSON.stringify({ jsonrpc: "2.0", ...m }) + "\n");
for await (const line of createInterface({ input: process.stdin })) {
  const m = JSON.parse(line);
  if (m.method === "initialize")
    send({ id: m.id, result: { protocolVersion: m.params.protocolVersion,
                               capabilities: { tools: {} }, serverInfo: { name: "stall", version: "1" } } });
  else if (m.method === "tools/list" && mode !== "list")
    send({ id: m.id, result: { tools: [{ name: "wait", inputSchema: { type: "object" } }] } });
}
