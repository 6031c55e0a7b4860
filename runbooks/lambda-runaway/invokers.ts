/**
 * Seed 003 §4 "Investigate cause": what invokes a runaway function — EventBridge rules, S3 bucket
 * notifications, event source mappings. Pure: reading the function's policy, matching bucket
 * notifications to the function, and the one-line summary a human reads in the notification.
 */
export interface RuleEvidence {
  readonly name: string;
  readonly eventBus: string;
  readonly state: string;
  readonly schedule?: string;
  readonly pattern?: string;
}

export interface BucketEvidence {
  readonly bucket: string;
  readonly events: string[];
  readonly prefix?: string;
  readonly suffix?: string;
}

export interface MappingEvidence {
  readonly eventSourceArn: string;
  readonly state: string;
  readonly batchSize: number | null;
}

export interface InvokerEvidence {
  readonly functionName: string;
  readonly rules: RuleEvidence[];
  readonly buckets: BucketEvidence[];
  readonly eventSourceMappings: MappingEvidence[];
  /** What could not be read, and why ("evidence unavailable: ..."): the stop stands either way. */
  readonly unavailable: string[];
  /** "invoked by: rule X (rate(1 minute), ENABLED); s3://bucket s3:ObjectCreated:* prefix uploads/" */
  readonly summary: string;
}

interface PolicyStatement {
  Effect?: string;
  Principal?: string | { Service?: string | string[] };
  Condition?: Record<string, Record<string, string | string[]>>;
}

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * The buckets S3 may invoke the function from, by the AWS:SourceArn conditions of the function's
 * resource policy; `anyBucket` when a statement lets S3 invoke it with no source condition.
 */
export function s3SourcesOf(policyJson: string): { buckets: string[]; anyBucket: boolean } {
  const policy = JSON.parse(policyJson) as { Statement?: PolicyStatement[] };
  const buckets = new Set<string>();
  let anyBucket = false;
  for (const st of policy.Statement ?? []) {
    if (st.Effect !== 'Allow' || typeof st.Principal !== 'object' || !asList(st.Principal.Service).includes('s3.amazonaws.com')) continue;
    const sources = Object.values(st.Condition ?? {}).flatMap((c) => asList(c['AWS:SourceArn'] ?? c['aws:SourceArn']));
    if (sources.length === 0) anyBucket = true;
    for (const source of sources) {
      const m = /^arn:aws[\w-]*:s3:::([^/*]+)$/.exec(source);
      if (m?.[1]) buckets.add(m[1]);
      else anyBucket = true;
    }
  }
  return { buckets: [...buckets].sort(), anyBucket };
}

/** A notification reaches the function when it names its ARN, unqualified or with a version or alias. */
export function notifiesFunction(notificationArn: string | undefined, functionArn: string): boolean {
  return notificationArn === functionArn || (notificationArn?.startsWith(`${functionArn}:`) ?? false);
}

export function summarize(e: Omit<InvokerEvidence, 'summary'>): string {
  const parts = [
    ...e.rules.map((r) => `rule ${r.eventBus === 'default' ? '' : `${r.eventBus}/`}${r.name} (${r.schedule ?? 'event pattern'}, ${r.state})`),
    ...e.buckets.map((b) => `s3://${b.bucket} ${b.events.join(',')}${b.prefix ? ` prefix ${b.prefix}` : ''}${b.suffix ? ` suffix ${b.suffix}` : ''}`),
    ...e.eventSourceMappings.map((m) => `event source ${m.eventSourceArn} (${m.state})`),
  ];
  const found = parts.length > 0 ? `invoked by: ${parts.join('; ')}` : 'invoked by: nothing found in EventBridge rules, S3 notifications or event source mappings';
  return e.unavailable.length > 0 ? `${found}; evidence unavailable: ${e.unavailable.join('; ')}` : found;
}
