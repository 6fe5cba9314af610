// `pnpm bench`: prints one JSON line per case. Numbers, not assertions: machines are shared and noisy.
import { runDecisionBench } from './decision.mjs';
import { runDiscoveryBench } from './discovery.mjs';
import { runFailoverBench } from './failover.mjs';
import { runHeaderScanBench } from './header-scan.mjs';
import { runMemoryBench } from './memory.mjs';
import { runRouteBench } from './route.mjs';
import { runStallBench } from './stall.mjs';
import { runUpstreamCallBench } from './upstream-call.mjs';

const only = process.argv[2];
const print = (line) => process.stdout.write(JSON.stringify(line) + '\n');
const cases = {
  decision: () => runDecisionBench(print),
  memory: () => runMemoryBench(print),
  route: () => runRouteBench(print),
  discovery: () => runDiscoveryBench(print),
  failover: () => runFailoverBench(print),
  stall: () => runStallBench(print),
  'header-scan': () => runHeaderScanBench(print),
  'upstream-call': () => runUpstreamCallBench(print),
};
for (const [name, run] of Object.entries(cases)) {
  if (only && only !== name) continue;
  await run();
}
