import { createHash } from 'node:crypto';
import type { AccountState, EcsDeploymentState, EcsFailureMode, ExecutionStatus } from './state';

/**
 * A compact, printable view of what a runbook can change: compare one before and after a drill.
 * A type alias, not an interface, so it is assignable to Record<string, unknown> like other JSON.
 */
export type SandboxSnapshot = {
  lambda: {
    unreservedConcurrency: number;
    functions: Record<string, { reservedConcurrency: number | null; timeout: number; environment: string }>;
    /** Keyed by FUNCTION:ALIAS. */
    aliases: Record<string, { functionVersion: string; additionalVersionWeights: Record<string, number> }>;
  };
  /** Keyed by CLUSTER/SERVICE. */
  ecs: Record<
    string,
    {
      status: string;
      desiredCount: number;
      runningCount: number;
      pendingCount: number;
      taskDefinition: string;
      failure: EcsFailureMode;
      /** Its task definition's plain variables as names and one digest (environmentView), only where the model holds them. */
      environment?: string;
      /** One-time schedules (EventBridge Scheduler) whose description names it: a timed revert of it, only where there is one. */
      schedules?: string[];
      /** Its scalable target's range (Application Auto Scaling), only where it has one. */
      minCapacity?: number;
      maxCapacity?: number;
      deployments: Pick<EcsDeploymentState, 'id' | 'status' | 'rolloutState' | 'desiredCount' | 'runningCount' | 'failedTasks'>[];
    }
  >;
  /** DB instances and clusters by identifier: status, where the primary (or writer) is. */
  rds: Record<string, { status: string; multiAZ: boolean; availabilityZone?: string; writer?: string }>;
  ssm: Record<string, { value: string; version: number; keyId?: string }>;
  executions: Record<string, { name: string; status: ExecutionStatus; redriveCount: number }>;
  alarms: Record<string, string>;
  /** S3 buckets by name: what seed 003 §3 reads of them (a policy as its sids and one digest of its text). */
  s3: Record<string, { policy: string; publicAccessBlock: string; encryption: string; versioning: string }>;
  /** IAM roles by name: each inline policy as its sids and one digest. */
  iam: Record<string, { policies: Record<string, string> }>;
  /** IAM users by name: each access key's status by its id (never a secret: the sandbox keeps none). */
  iamUsers: Record<string, { accessKeys: Record<string, string> }>;
  /** KMS keys by ARN: the key policy as its sids and one digest. */
  kms: Record<string, { policy: string }>;
  /** AgentCore gateways by id: status, and what stands between an agent and its tools (policy engine and mode, authorizer). */
  agentcoreGateways: Record<string, { status: string; policyEngine: string; authorizerType: string }>;
  /** The application's kill-switch endpoints by path: halted or not, and how many POSTs each took (never the token). */
  killSwitch: Record<string, { halted: boolean; posts: number }>;
  publishedMessages: number;
};

/** A policy as the drill shows it: its statements' sids, and one digest of its text, so any change shows. */
export function policyView(text: string | undefined): string {
  if (text === undefined) return 'none';
  return `${sidsOf(text)} [sha256:${createHash('sha256').update(text).digest('hex').slice(0, 8)}]`;
}

function sidsOf(text: string): string {
  try {
    const doc = JSON.parse(text) as { Statement?: { Sid?: string } | { Sid?: string }[] };
    const statements = doc.Statement === undefined ? [] : Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
    return statements.map((st) => st.Sid ?? '(no sid)').join(', ') || 'no statements';
  } catch {
    return 'not JSON';
  }
}

function environmentOf(state: AccountState, taskDefinition: string): { environment?: string } {
  const containers = state.ecs.taskDefinitions[taskDefinition]?.containers ?? [];
  if (!containers.some((c) => c.environment)) return {};
  return { environment: environmentView(Object.fromEntries(containers.flatMap((c) => (c.environment ?? []).map((e) => [`${c.name}.${e.name}`, e.value])))) };
}

function schedulesOf(state: AccountState, service: string): { schedules?: string[] } {
  const names = Object.values(state.scheduler?.schedules ?? {}).filter((x) => x.description?.includes(service)).map((x) => `${x.name} ${x.expression}`);
  return names.length > 0 ? { schedules: names } : {};
}

function rangeOf(state: AccountState, cluster: string, service: string): { minCapacity?: number; maxCapacity?: number } {
  const target = Object.values(state.applicationAutoScaling?.scalableTargets ?? {})
    .find((t) => t.serviceNamespace === 'ecs' && t.resourceId === `service/${cluster}/${service}` && t.scalableDimension === 'ecs:service:DesiredCount');
  return target ? { minCapacity: target.minCapacity, maxCapacity: target.maxCapacity } : {};
}

/**
 * A function's environment as the drill shows it: the names, and one digest of names and values
 * together, so a change (and an undo that is not exact) shows while no value, a key say, is printed.
 */
export function environmentView(variables: Readonly<Record<string, string>>): string {
  const names = Object.keys(variables).sort();
  const digest = createHash('sha256').update(JSON.stringify(names.map((n) => [n, variables[n]]))).digest('hex').slice(0, 8);
  return `${names.join(', ') || 'none'} [sha256:${digest}]`;
}

export function snapshotOf(state: AccountState, publishedMessages: number): SandboxSnapshot {
  const functions = Object.fromEntries(
    Object.entries(state.lambda.functions).map(([name, fn]) => [name, { reservedConcurrency: fn.reservedConcurrency, timeout: fn.timeout, environment: environmentView(fn.environment) }]),
  );
  const aliases = Object.fromEntries(Object.entries(state.lambda.functions).flatMap(([name, fn]) =>
    Object.entries(fn.aliases ?? {}).map(([alias, a]) => [`${name}:${alias}`, { functionVersion: a.functionVersion, additionalVersionWeights: { ...a.additionalVersionWeights } }])));
  const reserved = Object.values(state.lambda.functions).reduce((sum, fn) => sum + (fn.reservedConcurrency ?? 0), 0);
  const ecs = Object.fromEntries(
    Object.entries(state.ecs.clusters).flatMap(([clusterName, cluster]) =>
      Object.entries(cluster.services).map(([name, svc]) => [
        `${clusterName}/${name}`,
        {
          status: svc.status,
          desiredCount: svc.desiredCount,
          runningCount: svc.runningCount,
          pendingCount: svc.pendingCount,
          taskDefinition: svc.taskDefinition,
          failure: svc.failure,
          ...environmentOf(state, svc.taskDefinition),
          ...schedulesOf(state, `${clusterName}/${name}`),
          ...rangeOf(state, clusterName, name),
          deployments: svc.deployments.map(({ id, status, rolloutState, desiredCount, runningCount, failedTasks }) => ({
            id,
            status,
            rolloutState,
            desiredCount,
            runningCount,
            failedTasks,
          })),
        },
      ]),
    ),
  );
  return {
    lambda: { unreservedConcurrency: state.lambda.concurrentExecutionsLimit - reserved, functions, aliases },
    ecs,
    rds: {
      ...Object.fromEntries(Object.entries(state.rds?.instances ?? {}).map(([id, db]) => [id, { status: db.status, multiAZ: db.multiAZ, availabilityZone: db.availabilityZone }])),
      ...Object.fromEntries(Object.entries(state.rds?.clusters ?? {}).map(([id, c]) => [id, { status: c.status, multiAZ: c.multiAZ, writer: c.members.find((m) => m.writer)?.instance ?? 'none' }])),
    },
    // A SecureString shows its version and key, never its value.
    ssm: Object.fromEntries(Object.entries(state.ssm.parameters).map(([name, p]) => [name, p.type === 'SecureString' ? { value: '(SecureString: not shown)', version: p.version, keyId: p.keyId } : { value: p.value, version: p.version }])),
    executions: Object.fromEntries(
      Object.entries(state.stepFunctions.executions).map(([arn, e]) => [arn, { name: e.name, status: e.status, redriveCount: e.redriveCount ?? 0 }]),
    ),
    alarms: Object.fromEntries(Object.entries(state.cloudwatch.alarms).map(([name, a]) => [name, a.stateValue])),
    s3: Object.fromEntries(Object.entries(state.s3?.buckets ?? {}).map(([name, b]) => [name, {
      policy: policyView(b.policy),
      publicAccessBlock: b.publicAccessBlock ? Object.entries(b.publicAccessBlock).map(([k, v]) => `${k}=${v}`).join(', ') : 'none',
      encryption: b.encryption ? `aws:kms ${b.encryption.kmsKeyArn}` : 'AES256',
      versioning: b.versioning ?? 'never enabled',
    }])),
    iam: Object.fromEntries(Object.entries(state.iam?.roles ?? {}).map(([name, r]) => [name, { policies: Object.fromEntries(Object.entries(r.policies).map(([p, text]) => [p, policyView(text)])) }])),
    iamUsers: Object.fromEntries(Object.entries(state.iam?.users ?? {}).map(([name, u]) => [name, {
      accessKeys: Object.fromEntries(Object.entries(u.accessKeys).map(([id, k]) => [id, k.status])),
    }])),
    kms: Object.fromEntries(Object.entries(state.kms?.keys ?? {}).map(([arn, k]) => [arn, { policy: policyView(k.policy) }])),
    agentcoreGateways: Object.fromEntries(Object.entries(state.agentcore?.gateways ?? {}).map(([id, g]) => [id, {
      status: g.status,
      policyEngine: g.policyEngineConfiguration ? `${g.policyEngineConfiguration.arn.split('/').at(-1)} (${g.policyEngineConfiguration.mode})` : 'none',
      authorizerType: g.authorizerType,
    }])),
    killSwitch: Object.fromEntries(Object.entries(state.application?.endpoints ?? {}).map(([path, e]) => [path, { halted: e.halted, posts: e.posts.length }])),
    publishedMessages,
  };
}
