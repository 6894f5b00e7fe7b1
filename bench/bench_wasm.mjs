// The baseline: @cedar-policy/cedar-wasm's statefulIsAuthorized, policy set
// pre-parsed, on the same inputs bench_cedar reads.  Prints one JSON line.
//   node --no-opt bench_wasm.mjs POLICIES.cedar DIR HIERARCHIES
import * as cedar from '../tests/peers/node_modules/@cedar-policy/cedar-wasm/nodejs/cedar_wasm.js';
import fs from 'node:fs';
import path from 'node:path';

const [policiesPath, dir, hArg] = process.argv.slice(2);
const text = fs.readFileSync(policiesPath, 'utf8');
const pre = cedar.preparsePolicySet('bench', { staticPolicies: text });
if (pre.type !== 'success') { console.error(JSON.stringify(pre)); process.exit(1); }
const times = [];
let allow = 0;
for (let h = 0; h < Number(hArg); h++) {
  const entities = JSON.parse(fs.readFileSync(path.join(dir, `h${h}.entities.json`), 'utf8'));
  const reqs = JSON.parse(fs.readFileSync(path.join(dir, `h${h}.requests.json`), 'utf8'));
  for (const q of reqs) {
    const t0 = process.hrtime.bigint();
    const ans = cedar.statefulIsAuthorized({ ...q, preparsedPolicySetId: 'bench', entities });
    const t1 = process.hrtime.bigint();
    if (ans.type !== 'success') { console.error(JSON.stringify(ans).slice(0, 500)); process.exit(1); }
    if (ans.response.decision === 'allow') allow++;
    times.push(Number(t1 - t0));
  }
}
times.sort((a, b) => a - b);
const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
console.log(JSON.stringify({ engine: 'cedar-wasm', n: times.length, allow, median_ns: q(0.5), p99_ns: q(0.99) }));
