/**
 * The metrics the handlers emit, as Lambda would hand them to CloudWatch: each is an EMF line
 * (CloudWatch embedded metric format) the handler prints on stdout. In the drill the handlers run
 * in this process, so the tap takes those lines off stdout (the drill's own output stays its own)
 * and keeps them, read back as metrics, for the result (`metrics` in --json).
 */

/** One metric as its EMF line states it. */
export interface EmittedMetric {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly namespace: string;
  /** Its dimensions and their values (runbook, environment, reason). */
  readonly dimensions: Readonly<Record<string, string>>;
  /** The execution it was emitted for (a property of the line, not a dimension). */
  readonly executionArn?: string;
}

interface EmfLine {
  _aws?: { CloudWatchMetrics?: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit?: string }[] }[] };
  [key: string]: unknown;
}

/** Whether a line of output is an EMF line (Powertools prints each as one JSON object starting so). */
const isEmf = (line: string): boolean => line.startsWith('{"_aws"');

/** The metrics of one EMF line; [] for any other output. */
export function parseEmf(line: string): EmittedMetric[] {
  if (!isEmf(line)) return [];
  let record: EmfLine;
  try {
    record = JSON.parse(line) as EmfLine;
  } catch {
    return [];
  }
  return (record._aws?.CloudWatchMetrics ?? []).flatMap((directive) => {
    const dimensions = Object.fromEntries((directive.Dimensions[0] ?? []).map((d) => [d, String(record[d])]));
    return directive.Metrics.flatMap((m) => {
      const raw = record[m.Name];
      // A metric emitted several times in one line carries its values as a list.
      return (Array.isArray(raw) ? raw : [raw]).filter((v): v is number => typeof v === 'number').map((value) => ({
        name: m.Name, value, unit: m.Unit ?? 'None', namespace: directive.Namespace, dimensions,
        ...(typeof record.executionArn === 'string' ? { executionArn: record.executionArn } : {}),
      }));
    });
  });
}

type Write = typeof process.stdout.write;
const sinks = new Set<(emfLines: readonly string[]) => void>();
let original: Write | undefined;

/**
 * Takes the EMF lines off stdout, handing each chunk's to `sink`, until the returned function is
 * called (stdout is itself again once no sink is open); whatever else a chunk held is written as
 * it was. Several sinks each get every line.
 */
export function takeEmfLines(sink: (emfLines: readonly string[]) => void): () => void {
  if (sinks.size === 0) {
    const write = (original = process.stdout.write);
    process.stdout.write = function tapped(this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
      const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : null;
      const lines = text === null ? [] : text.split('\n');
      const emf = lines.filter(isEmf);
      if (emf.length === 0) return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
      for (const s of sinks) s(emf);
      // Whatever else the chunk held is the process's own output.
      const others = lines.filter((line) => !isEmf(line)).join('\n');
      if (others.trim() !== '') return (write as (...args: unknown[]) => boolean).call(this, others, ...rest);
      // Handled: a callback given expects its call.
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    } as Write;
  }
  sinks.add(sink);
  return () => {
    sinks.delete(sink);
    if (sinks.size === 0 && original) {
      process.stdout.write = original;
      original = undefined;
    }
  };
}

/**
 * Starts keeping every metric the process's handlers print; `stop` ends it. Several drills in one
 * process each get every line: they tell theirs apart by execution.
 */
export function tapMetrics(): { readonly metrics: EmittedMetric[]; stop(): void } {
  const metrics: EmittedMetric[] = [];
  return { metrics, stop: takeEmfLines((lines) => metrics.push(...lines.flatMap(parseEmf))) };
}

/** The metrics emitted for these executions, in order. */
export function metricsOf(metrics: readonly EmittedMetric[], executionArns: ReadonlySet<string>): EmittedMetric[] {
  return metrics.filter((m) => m.executionArn !== undefined && executionArns.has(m.executionArn));
}
