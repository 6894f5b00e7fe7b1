// The baseline for bench_validate: @cedar-policy/cedar-wasm's validator
// (strict) on the same schema and policies, REPS times, each timed alone;
// the schema is handed as text (or parsed JSON) on every call, as its API
// takes it.  Prints one JSON line.
//   node --no-opt bench_validate.mjs SCHEMA POLICIES REPS
import * as cedar from '../tests/peers/node_modules/@cedar-policy/cedar-wasm/nodejs/cedar_wasm.js';
import fs from 'node:fs';

const [schemaPath, policiesPath, repsArg] = process.argv.slice(2);
const text = fs.readFileSync(schemaPath, 'utf8');
const schema = schemaPath.endsWith('.json') ? JSON.parse(text) : text;
const policies = { staticPolicies: fs.readFileSync(policiesPath, 'utf8') };
const times = [];
let invalid = -1;
for (let i = 0; i < Number(repsArg); i++) {
  const t0 = process.hrtime.bigint();
  const a = cedar.validate({ schema, policies, validationSettings: { mode: 'strict' } });
  const t1 = process.hrtime.bigint();
  if (a.type !== 'success') { console.error(JSON.stringify(a).slice(0, 500)); process.exit(1); }
  invalid = new Set(a.validationErrors.map((e) => e.policyId)).size;
  times.push(Number(t1 - t0));
}
times.sort((a, b) => a - b);
console.log(JSON.stringify({ engine: 'cedar-wasm', n: times.length, invalid,
                             median_ns: times[Math.floor(times.length / 2)] }));
