// `npm run replay -- --from <iso> --to <iso> [--policy file.json] [--prefs user=file.json]... [--json]`
// What the recorded engine calls of a window would have decided under a proposed provider policy
// and/or user preferences, against what they decided; reads the configured database (DATABASE_URL).
// With no proposal it checks replay equality instead: every recorded decision must come out the same.
import { readFileSync } from 'node:fs';
import { loadConfig } from '../config';
import { checkReplay } from '../engine/replay/replay';
import { parseBatch } from '../engine/replay/tape';
import { openDatabase } from '../store/database';
import { recordedBatches } from '../store/engine-recording';
import { formatDiff } from './format';
import { checkProposal } from './proposal';
import { whatIfWindow } from './window';

const USAGE = 'usage: npm run replay -- --from <iso> --to <iso> [--policy file.json] [--prefs sip:user@domain=file.json]... [--json]';

export interface CliArgs {
  from: Date;
  to: Date;
  policy?: unknown;
  prefs: Record<string, unknown>;
  json: boolean;
}

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${what} ${file}: ${(e as Error).message}`);
  }
}

function date(v: string | undefined, name: string): Date {
  const d = new Date(v ?? '');
  if (!v || Number.isNaN(d.getTime())) throw new Error(`${name} must be a date and time (ISO 8601), got "${v ?? ''}"`);
  return d;
}

export function parseArgs(argv: string[], now = new Date()): CliArgs {
  const out: CliArgs = { from: new Date(now.getTime() - 3_600_000), to: now, prefs: {}, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--from') out.from = date(value(), '--from');
    else if (a === '--to') out.to = date(value(), '--to');
    else if (a === '--policy') out.policy = readJson(value(), '--policy');
    else if (a === '--prefs') {
      const v = value();
      const eq = v.lastIndexOf('=');
      if (eq <= 0) throw new Error(`--prefs must be user=file.json, got "${v}"`);
      out.prefs[v.slice(0, eq)] = readJson(v.slice(eq + 1), '--prefs');
    } else if (a === '--json') out.json = true;
    else throw new Error(`unknown argument "${a}"`);
  }
  if (out.from > out.to) throw new Error('--from must not be after --to');
  return out;
}

async function main(): Promise<void> {
  let args: CliArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  const checked = checkProposal({ policy: args.policy, prefs: args.prefs });
  if (!checked.ok) {
    process.stderr.write(`${checked.errors.join('\n')}\n`);
    process.exit(2);
  }
  const db = await openDatabase(loadConfig(process.env).databaseUrl);
  try {
    const progress = (p: { done: number; total: number; calls: number }) => process.stderr.write(`\r${p.done}/${p.total} batches, ${p.calls} calls`);
    const proposal = checked.proposal;
    if (!proposal.policy && !proposal.prefs) {
      // no proposal: the window replayed as it was must decide exactly as it did
      let calls = 0;
      const mismatches = [];
      for await (const b of recordedBatches(db.store, args.from, args.to)) {
        const r = checkReplay(parseBatch(b.lines));
        calls += r.calls;
        mismatches.push(...r.mismatches);
        progress({ done: b.done, total: b.total, calls });
      }
      process.stderr.write('\n');
      process.stdout.write(args.json ? `${JSON.stringify({ calls, mismatches })}\n` : `${calls} engine call(s) replayed, ${mismatches.length} differ from their record${mismatches.length ? ' (a determinism bug):\n' + mismatches.map((m) => JSON.stringify(m)).join('\n') : ''}\n`);
      process.exitCode = mismatches.length ? 1 : 0;
      return;
    }
    const diff = await whatIfWindow(db.store, args.from, args.to, proposal, progress);
    process.stderr.write('\n');
    process.stdout.write(args.json ? `${JSON.stringify(diff)}\n` : `${formatDiff(diff, args)}\n`);
  } finally {
    await db.close();
  }
}

if (process.argv[1] && /replay[\\/]cli\.ts$/.test(process.argv[1])) void main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
