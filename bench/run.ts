// `npm run bench` runs every part; `npm run bench -- imdn memory` runs some. Each part prints its
// figures and writes bench/results/<part>.json. See docs/BENCHMARKS.md.
import { writeResult } from './results';

type Part = () => Promise<{ summary: string[]; data: Record<string, unknown> }>;

const PARTS: Record<string, Part> = {
  imdn: async () => (await import('./part-imdn')).run(),
  'imdn-cost': async () => (await import('./part-imdn-cost')).run(),
  session: async () => (await import('./part-session')).run(),
  memory: async () => (await import('./part-memory')).run(),
  store: async () => (await import('./part-store')).run(),
  console: async () => (await import('./part-console')).run(),
  msrp: async () => (await import('./part-msrp')).run(),
  record: async () => (await import('./part-record')).run(),
  cluster: async () => (await import('./part-cluster')).run(),
};

async function main(): Promise<void> {
  const asked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = asked.filter((a) => !(a in PARTS));
  if (unknown.length) {
    process.stderr.write(`unknown part(s): ${unknown.join(', ')}; parts: ${Object.keys(PARTS).join(', ')}\n`);
    process.exit(2);
  }
  // imdn-cost is for A/B comparisons of a change, not part of the full run
  const names = asked.length ? asked : Object.keys(PARTS).filter((n) => n !== 'imdn-cost');
  const lines: string[] = [];
  let failed = 0;
  for (const name of names) {
    const t = Date.now();
    process.stderr.write(`\n== bench ${name} ==\n`);
    try {
      const { summary, data } = await PARTS[name]();
      const file = writeResult(name, { seconds: Math.round((Date.now() - t) / 1000), ...data });
      lines.push(`${name}:`, ...summary.map((s) => `  ${s}`), `  → ${file}`);
    } catch (err) {
      failed++;
      lines.push(`${name}: ERROR ${(err as Error).stack ?? err}`);
    }
  }
  process.stdout.write(`\n${lines.join('\n')}\n`);
  process.exit(failed ? 1 : 0);
}

void main();
