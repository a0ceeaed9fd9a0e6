// GPU telemetry check on a machine with an NVIDIA GPU: Referee's SystemSampler beside the same
// nvidia-smi query run raw, once a second for 10 s; writes both to the JSON file named by the first
// argument. Run it while the GPU is busy: `npm run build && node scripts/gpu-telemetry-check.mjs out.json`.
// (On the device machine it ran as a rolldown bundle under a carried Node 24: see the README.)
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { NVIDIA_SMI_ARGS, SystemSampler, parseNvidiaSmi } from '../dist/telemetry/system-sampler.js';

const out = process.argv[2];
const published = [];
const raw = [];
const sampler = new SystemSampler({ intervalS: 1, agentName: 'device-check' });
await sampler.onRunStart({ meta: { run_id: 'gpu-check', agent_config: { name: 'device-check' }, role: 'single' }, publish: (type, data) => published.push({ at: Date.now(), type, data }) });
for (let i = 0; i < 10; i++) {
  const t0 = Date.now();
  const csv = execFileSync('nvidia-smi', NVIDIA_SMI_ARGS, { encoding: 'utf8' });
  raw.push({ at: t0, csv, parsed: parseNvidiaSmi(csv) });
  await new Promise((r) => setTimeout(r, 1000));
}
const direct = await sampler.sample();
await sampler.onRunEnd();
writeFileSync(out, JSON.stringify({ args: NVIDIA_SMI_ARGS, raw, published, direct }, null, 1));
console.log(`raw ${raw.length}, published ${published.length}, gpus in direct sample: ${JSON.stringify(direct.gpus)}`);
