// Reads Prometheus' text exposition format (0.0.4) into samples, for tests that scrape /metrics:
// `name{label="value",…} number` lines, with # HELP / # TYPE comments skipped. Label values are
// unescaped (\\, \", \n). A line that does not parse throws: a broken exposition fails the test.
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?[ \t]+(\S+)(?:[ \t]+-?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/y;

// Prometheus reads values with Go's ParseFloat, which takes Inf and NaN in any case (prom-client writes "Nan")
function parseValue(raw: string): number {
  if (/^\+?inf$/i.test(raw)) return Infinity;
  if (/^-inf$/i.test(raw)) return -Infinity;
  if (/^nan$/i.test(raw)) return NaN;
  const n = Number(raw);
  if (Number.isNaN(n)) throw new Error(`not a sample value: ${raw}`);
  return n;
}

function parseLabels(raw: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < raw.length) {
    const at = LABEL.lastIndex;
    const m = LABEL.exec(raw);
    if (!m) throw new Error(`labels do not parse at ${at}: {${raw}}`);
    labels[m[1]] = m[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

export function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    out.push({ name: m[1], labels: m[2] ? parseLabels(m[2]) : {}, value: parseValue(m[3]) });
  }
  return out;
}

/** The value of the sample with exactly these labels (0 when absent: a counter not yet touched). */
export function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels);
  const s = samples.find((x) => x.name === name && Object.keys(x.labels).length === want.length && want.every(([k, v]) => x.labels[k] === v));
  return s?.value ?? 0;
}

/** Every sample of a metric. */
export function samplesOf(samples: Sample[], name: string): Sample[] {
  return samples.filter((x) => x.name === name);
}
