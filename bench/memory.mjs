// The service's memory after each phase of the benchmark: RSS from ps, V8's heap from the service's own /metrics.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const MiB = 2 ** 20;

async function rssBytes(pid) {
  const { stdout } = await run('ps', ['-o', 'rss=', '-p', String(pid)]);
  return Number(stdout.trim()) * 1024;
}

function metric(text, name) {
  const match = text.match(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm'));
  return match ? Number(match[1]) : NaN;
}

export function memoryProbe({ base, headers, pid }) {
  const samples = [];
  return {
    async sample(phase) {
      const text = await fetch(`${base}/metrics`, { headers }).then((r) => r.text());
      samples.push({
        phase,
        rss: await rssBytes(pid),
        heapUsed: metric(text, 'nodejs_heap_size_used_bytes'),
        heapTotal: metric(text, 'nodejs_heap_size_total_bytes'),
        external: metric(text, 'nodejs_external_memory_bytes'),
      });
    },
    get last() {
      return samples.at(-1);
    },
    markdown() {
      const mib = (n) => (Number.isFinite(n) ? Math.round(n / MiB).toLocaleString('en') : '–');
      return [
        '| after | RSS MiB | V8 heap used MiB | V8 heap total MiB | external MiB |',
        '| --- | ---: | ---: | ---: | ---: |',
        ...samples.map(
          (s) => `| ${s.phase} | ${mib(s.rss)} | ${mib(s.heapUsed)} | ${mib(s.heapTotal)} | ${mib(s.external)} |`,
        ),
      ].join('\n');
    },
  };
}
