/** One sample of a scrape: its name (a histogram's `_bucket`, `_sum`, `_count` included), labels and value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A scrape parsed: each family's type and help, and every sample. */
export interface Scrape {
  types: Map<string, string>;
  help: Map<string, string>;
  samples: Sample[];
  /** The value of the one sample with this name and these labels (others ignored); undefined when none. */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const labelPair = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/;
const types = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

/**
 * Parses Prometheus's text exposition format (version 0.0.4), strictly: a
 * line it does not know, a sample of a family with no `# TYPE` before it, a
 * label it cannot read or a value that is not a number throws, naming the line.
 */
export function parsePrometheusText(text: string): Scrape {
  const scrape: Scrape = { types: new Map(), help: new Map(), samples: [], value: (name, labels = {}) => findValue(scrape.samples, name, labels) };
  for (const [index, line] of text.split("\n").entries()) {
    const fail = (why: string) => new Error(`line ${index + 1}: ${why}: ${line}`);
    if (line === "") continue;
    const comment = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (comment) {
      const [, kind, name, rest] = comment as unknown as [string, string, string, string];
      if (kind === "TYPE" && !types.has(rest)) throw fail("unknown type");
      (kind === "TYPE" ? scrape.types : scrape.help).set(name, rest);
      continue;
    }
    if (line.startsWith("#")) throw fail("a comment that is neither HELP nor TYPE");
    const sample = sampleLine.exec(line);
    if (!sample) throw fail("not a sample");
    const [, name, labelText = "", valueText] = sample as unknown as [string, string, string | undefined, string];
    if (!scrape.types.has(familyOf(name, scrape.types))) throw fail("a sample with no # TYPE before it");
    const value = valueText === "+Inf" ? Infinity : valueText === "-Inf" ? -Infinity : Number(valueText);
    if (Number.isNaN(value) && valueText !== "NaN") throw fail("a value that is not a number");
    scrape.samples.push({ name, labels: parseLabels(labelText, fail), value });
  }
  return scrape;
}

function parseLabels(text: string, fail: (why: string) => Error): Record<string, string> {
  const labels: Record<string, string> = {};
  for (let rest = text; rest.length > 0; ) {
    const pair = labelPair.exec(rest);
    if (!pair) throw fail("labels it cannot read");
    labels[pair[1]!] = pair[2]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    rest = rest.slice(pair[0].length);
  }
  return labels;
}

// A histogram's samples carry suffixes that its family does not.
function familyOf(name: string, known: Map<string, string>): string {
  if (known.has(name)) return name;
  const base = name.replace(/_(bucket|sum|count)$/, "");
  return known.get(base) === "histogram" || known.get(base) === "summary" ? base : name;
}

function findValue(samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
  const match = samples.find((s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value) && Object.keys(s.labels).length === Object.keys(labels).length);
  return match?.value;
}
