/**
 * The IAM roles of the synthesized prod stack, each with its policies resolved to literal JSON, the
 * resource policies of the stack's own resources, and an IAM evaluator (@cloud-copilot/iam-simulate)
 * to ask what a role may do.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import * as path from 'node:path';
import { loadConfig } from '../../lib/config/load';
import type { EnvironmentConfig } from '../../lib/config/schema';
import { ACCOUNT, stackTemplate } from '../infra/synth';
import { keptPerKey, PARTITION, REGION } from './aws-actions';
import { cfnResolver, type CfnTemplate, type Resolver } from './cfn-resolver';

export { ACCOUNT, PARTITION, REGION };
const STACK_NAME = 'Test-prod';

type ResourceTypesOf = (service: string, action: string, resource: string) => Promise<unknown[]>;

/**
 * The evaluator works out which of an action's resource types an ARN is (matching the ARN against
 * every type's pattern) at each request, and that was most of its time: least-privilege.test.ts
 * asks about 25,000 questions over 1,429 (action, resource) pairs. The answer depends on nothing
 * else, so it is kept per pair, in the module the evaluator calls it from (its package exports no
 * way in: the file is found beside its entry point, and a change of its shape fails here).
 */
function rememberResourceTypes(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const engine = require(path.join(path.dirname(require.resolve('@cloud-copilot/iam-simulate')), 'simulation_engine', 'resourceTypes.js')) as { getResourceTypesForAction?: ResourceTypesOf };
  const lookUp = engine.getResourceTypesForAction;
  if (typeof lookUp !== 'function') throw new Error('@cloud-copilot/iam-simulate changed shape: test/iam/stack-roles.ts needs updating');
  engine.getResourceTypesForAction = keptPerKey((service, action, resource) => `${service}:${action} ${resource}`, lookUp);
}
rememberResourceTypes();

export type Decision = 'Allowed' | 'Denied';
export type RequestContext = Readonly<Record<string, string | string[]>>;

export interface RoleUnderTest {
  readonly logicalId: string;
  readonly arn: string;
  /** The AWS service that assumes it (lambda.amazonaws.com, states.amazonaws.com, events.amazonaws.com). */
  readonly assumedBy: string;
  readonly policies: readonly { readonly name: string; readonly policy: unknown }[];
}

/** One resolved statement of a role's policies, one action on one resource. */
export interface Grant {
  readonly effect: string;
  readonly action: string;
  readonly resource: string;
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export interface SynthesizedIam {
  /** Every role in the template, by logical id. */
  readonly roles: ReadonlyMap<string, RoleUnderTest>;
  /** The resource policies of the template's resources (key, topic and queue policies), by resource ARN. */
  readonly resourcePolicies: ReadonlyMap<string, unknown>;
  /** The ARNs of the template's own resources (ledger, topics, keys, secret, log groups, functions, state machines, queues, rules). */
  readonly ownResources: ReadonlySet<string>;
  /** The one role whose logical id is `...<name>Role<hash>`, e.g. "LambdaRunawayStop". */
  role(name: string): RoleUnderTest;
  /** The ARN of the one resource of `type` whose logical id is `...<name><hash>`. */
  arnOf(type: string, name: string): string;
  /** Every statement of the role's policies, one action on one resource each. */
  grantsOf(role: RoleUnderTest): Grant[];
  /**
   * What IAM decides when the role calls `action` on `resource`: its identity policies, and the
   * resource's policy when the stack defines one. Throws when the evaluator rejects the request (an
   * unknown action, a resource the action does not take, an invalid policy): a request it cannot
   * evaluate never counts as denied. `resource` is one concrete ARN, or "*" for actions without one.
   */
  decide(role: RoleUnderTest, action: string, resource: string, context?: RequestContext): Promise<Decision>;
}

/** Every request is made over TLS, as the AWS SDK makes it (the topics and queues deny anything else). */
const DEFAULT_CONTEXT: RequestContext = { 'aws:SecureTransport': 'true' };
const HASH = /^[0-9A-F]{8}$/;

/**
 * Synthesizes an environment (prod unless told, or the config given) as bin/app.ts does, without asset bundling (the
 * policies do not depend on it) and without cdk-nag. `account`: the account the roles live in.
 */
export function synthesizeIam(
  change?: (config: EnvironmentConfig) => void,
  options: { environment?: string; config?: EnvironmentConfig; account?: string } = {},
): SynthesizedIam {
  const config = options.config ? structuredClone(options.config) : loadConfig(options.environment ?? 'prod');
  const account = options.account ?? ACCOUNT;
  change?.(config);
  if (config.region !== REGION) throw new Error(`prod region is ${config.region}, these tests expect ${REGION}`);
  const template = stackTemplate(config, { account, stackName: STACK_NAME }) as unknown as CfnTemplate;
  const resolver = cfnResolver(template, { partition: PARTITION, region: REGION, account, stackName: STACK_NAME });

  const roles = identityPolicies(template, resolver, account);
  const resourcePolicies = resourcePoliciesOf(template, resolver);

  /** The unique logical id of `type` made of a construct path ending in `name`, then the 8-character hash. */
  const logicalIdOf = (type: string, name: string): string => {
    const matches = Object.entries(template.Resources)
      .filter(([id, r]) => r.Type === type && HASH.test(id.slice(-8)) && id.slice(0, -8).endsWith(name))
      .map(([id]) => id);
    if (matches.length !== 1) throw new Error(`expected one ${type} named ...${name}, found ${JSON.stringify(matches)}`);
    return matches[0]!;
  };

  // The evaluator's answer depends on nothing but its request and the policies, which are fixed here:
  // a question asked again (the contract suite asks most of its questions many times) is answered once.
  const decided = keptPerKey(
    (role: RoleUnderTest, action: string, resource: string, context: RequestContext) => JSON.stringify([role.logicalId, action, resource, context]),
    evaluate,
  );
  const decide = (role: RoleUnderTest, action: string, resource: string, context: RequestContext = {}) => decided(role, action, resource, context);

  async function evaluate(role: RoleUnderTest, action: string, resource: string, context: RequestContext): Promise<Decision> {
    // An S3 object (arn:...:s3:::bucket/key) is governed by its bucket's policy. A KMS key outside
    // the stack (a bucket's key a runbook reads the policy of) has AWS's default key policy, which
    // lets the account's IAM policies grant it: KMS allows nothing a key policy does not.
    const resourcePolicy = resourcePolicies.get(resource)
      ?? resourcePolicies.get(/^arn:[^:]+:s3:::[^/]+\//.test(resource) ? resource.slice(0, resource.indexOf('/')) : '')
      ?? (/^arn:[^:]+:kms:[^:]+:\d{12}:key\//.test(resource) ? defaultKeyPolicy(account) : undefined);
    const response = await runSimulation({
      request: { principal: role.arn, action, resource: { resource, accountId: account }, contextVariables: { ...DEFAULT_CONTEXT, ...context } },
      identityPolicies: role.policies.map((p) => ({ name: p.name, policy: p.policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy === undefined ? {} : { resourcePolicy }),
    }, { simulationMode: 'Strict' });
    if (response.resultType === 'error') {
      throw new Error(`the evaluator rejected ${action} on ${resource} for ${role.logicalId}: ${JSON.stringify(response.errors)}`);
    }
    if (response.resultType !== 'single') throw new Error(`${action} on ${resource}: not one concrete resource (${response.resultType})`);
    switch (response.overallResult) {
      case 'Allowed': return 'Allowed';
      case 'ImplicitlyDenied':
      case 'ExplicitlyDenied': return 'Denied';
      default: throw new Error(`${action} on ${resource}: unexpected result ${String(response.overallResult)}`);
    }
  }

  const byName = new Map<string, RoleUnderTest>();
  const ownResources = new Set(Object.keys(template.Resources).flatMap((id) => {
    try {
      return [resolver.arnOf(id)];
    } catch {
      return []; // a resource no policy can name by ARN here (a parameter, a subscription)
    }
  }));

  return {
    roles,
    resourcePolicies,
    ownResources,
    role: (name) => {
      let role = byName.get(name);
      if (!role) byName.set(name, role = roles.get(logicalIdOf('AWS::IAM::Role', `${name}Role`))!);
      return role;
    },
    arnOf: (type, name) => resolver.arnOf(logicalIdOf(type, name)),
    grantsOf,
    decide,
  };
}

/** The key policy KMS gives a key created without one: the account's IAM policies decide (AWS KMS developer guide, "Default key policy"). */
const defaultKeyPolicy = (account: string) => ({
  Version: '2012-10-17',
  Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:${PARTITION}:iam::${account}:root` }, Action: 'kms:*', Resource: '*' }],
});

const list = <T>(v: T | readonly T[] | undefined): readonly T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v as T]);

function grantsOf(role: RoleUnderTest): Grant[] {
  type Statement = { Effect: string; Action?: string | string[]; Resource?: string | string[]; NotAction?: unknown; NotResource?: unknown; Condition?: Grant['conditions'] };
  return role.policies.flatMap((p) => list((p.policy as { Statement: Statement | Statement[] }).Statement)).flatMap((s) => {
    if (s.NotAction !== undefined || s.NotResource !== undefined) throw new Error(`${role.logicalId}: NotAction/NotResource statements are not evaluated by these tests`);
    return list(s.Action).flatMap((action) => list(s.Resource).map((resource): Grant => ({
      effect: s.Effect, action, resource, ...(s.Condition ? { conditions: s.Condition } : {}),
    })));
  });
}

/** Each role with its inline policies and the AWS::IAM::Policy / ManagedPolicy resources attached to it. */
function identityPolicies(template: CfnTemplate, resolver: Resolver, account: string): Map<string, RoleUnderTest & { policies: { name: string; policy: unknown }[] }> {
  const resources = Object.entries(template.Resources);
  const roles = new Map<string, RoleUnderTest & { policies: { name: string; policy: unknown }[] }>();
  for (const [id, resource] of resources) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    const props = resource.Properties ?? {};
    // Policies that live outside the template cannot be evaluated here: refuse rather than under-report.
    if (props.ManagedPolicyArns !== undefined) throw new Error(`${id}: managed policies are not evaluated by these tests`);
    if (props.PermissionsBoundary !== undefined) throw new Error(`${id}: permissions boundaries are not evaluated by these tests`);
    const name = props.RoleName === undefined ? `${STACK_NAME}-${id}` : String(resolver.resolve(props.RoleName, `${id}.RoleName`));
    const inline = (props.Policies ?? []) as { PolicyDocument: unknown }[];
    const trust = (props.AssumeRolePolicyDocument as { Statement: { Principal: { Service?: unknown } }[] }).Statement;
    const assumedBy = trust.map((t) => t.Principal.Service);
    if (assumedBy.length !== 1 || typeof assumedBy[0] !== 'string') throw new Error(`${id}: assumed by ${JSON.stringify(assumedBy)}, not one AWS service`);
    roles.set(id, {
      logicalId: id,
      arn: `arn:${PARTITION}:iam::${account}:role/${name}`,
      assumedBy: assumedBy[0],
      policies: inline.map((p, i) => ({ name: `${id}.Policies[${i}]`, policy: resolver.resolve(p.PolicyDocument, `${id}.Policies[${i}]`) })),
    });
  }
  for (const [id, resource] of resources) {
    if (resource.Type !== 'AWS::IAM::Policy' && resource.Type !== 'AWS::IAM::ManagedPolicy') continue;
    const props = resource.Properties ?? {};
    if (props.Groups !== undefined || props.Users !== undefined) throw new Error(`${id}: attached to groups or users, which these tests do not model`);
    const policy = resolver.resolve(props.PolicyDocument, `${id}.PolicyDocument`);
    for (const attachment of (props.Roles ?? []) as unknown[]) {
      const ref = (attachment as { Ref?: unknown }).Ref;
      const role = typeof ref === 'string' ? roles.get(ref) : undefined;
      if (!role) throw new Error(`${id}: attached to ${JSON.stringify(attachment)}, not a role of this template`);
      role.policies.push({ name: id, policy });
    }
  }
  return roles;
}

/**
 * Key, topic and queue policies, by the ARN of the resource they govern. Lambda permissions are
 * checked to name only AWS services (they cannot grant a role anything); any other resource
 * policy in the template fails loudly, since it is not evaluated.
 */
function resourcePoliciesOf(template: CfnTemplate, resolver: Resolver): Map<string, unknown> {
  const policies = new Map<string, unknown>();
  const attach = (targetId: string, document: unknown, from: string) => {
    const target = resolver.arnOf(targetId);
    if (policies.has(target)) throw new Error(`${from}: ${targetId} already has a resource policy`);
    policies.set(target, resolver.resolve(document, `${from}.PolicyDocument`));
  };
  const refs = (value: unknown, from: string): string[] => ((value ?? []) as unknown[]).map((v) => {
    const ref = (v as { Ref?: unknown }).Ref;
    if (typeof ref !== 'string') throw new Error(`${from}: targets ${JSON.stringify(v)}, not a resource of this template`);
    return ref;
  });
  for (const [id, resource] of Object.entries(template.Resources)) {
    const props = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::KMS::Key': attach(id, props.KeyPolicy, id); break;
      case 'AWS::SNS::TopicPolicy': for (const topic of refs(props.Topics, id)) attach(topic, props.PolicyDocument, id); break;
      case 'AWS::SQS::QueuePolicy': for (const queue of refs(props.Queues, id)) attach(queue, props.PolicyDocument, id); break;
      // A bucket's policy governs its objects too: decide() looks it up by the object's bucket.
      case 'AWS::S3::BucketPolicy': for (const bucket of refs([props.Bucket], id)) attach(bucket, props.PolicyDocument, id); break;
      case 'AWS::Lambda::Permission':
        if (typeof props.Principal !== 'string' || !props.Principal.endsWith('.amazonaws.com')) {
          throw new Error(`${id}: a Lambda permission for ${JSON.stringify(props.Principal)}, not an AWS service`);
        }
        break;
      case 'AWS::DynamoDB::GlobalTable':
      case 'AWS::DynamoDB::Table':
        if (JSON.stringify(props).includes('"ResourcePolicy"')) throw new Error(`${id}: table resource policies are not evaluated by these tests`);
        break;
      case 'AWS::SecretsManager::ResourcePolicy':
      case 'AWS::Logs::ResourcePolicy':
      case 'AWS::Events::EventBusPolicy':
      case 'AWS::ECR::Repository':
        throw new Error(`${id}: ${resource.Type} resource policies are not evaluated by these tests`);
    }
  }
  return policies;
}
