// The peer of `benches/engine.rs`'s pass20 figure: aws-local-stepfunctions (an in-process
// TypeScript interpreter of ASL) running the same 20-Pass machine with the same input, the same
// way (executions 64 at a time). Install: `npm ci --prefix benches/peer`; the engine bench runs
// this when `node` and the package are present. Prints one line:
// `peer pass20: <executions> executions, <rate> state transitions/s`.
import { StateMachine } from 'aws-local-stepfunctions';

const STATES = 20;

function passChain(n) {
  const states = {};
  for (let i = 0; i < n; i++) {
    const s = { Type: 'Pass', Parameters: { i, 'prev.$': '$' }, OutputPath: '$.prev' };
    if (i + 1 < n) s.Next = `S${i + 1}`;
    else s.End = true;
    states[`S${i}`] = s;
  }
  return { StartAt: 'S0', States: states };
}

async function runMany(machine, input, n) {
  const start = process.hrtime.bigint();
  let pending = [];
  for (let k = 0; k < n; k++) {
    pending.push(machine.run(input).result);
    if (pending.length === 64) {
      await Promise.all(pending);
      pending = [];
    }
  }
  await Promise.all(pending);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const n = Number(process.argv[2] ?? 2000);
const machine = new StateMachine(passChain(STATES));
await runMany(machine, {}, 200); // warm-up, as the Rust side does
const secs = await runMany(machine, { k: 1 }, n);
console.log(`peer pass20: ${n} executions, ${Math.round((n * STATES) / secs)} state transitions/s`);
