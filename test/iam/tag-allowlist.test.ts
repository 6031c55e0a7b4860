/**
 * Allowlisting by tag, proven on the synthesized policies: with targetTags configured, each
 * runbook's actions reach a resource of its type that carries the tag (aws:ResourceTag), and not
 * one that does not, nor one of another type or in another cluster. Tags are read, never written.
 * First for every function whose grants the tags change, as its definition grants them (a new
 * runbook that allowlists by tag is covered as it is); then the seed runbooks' cases spelled out.
 */
import { ACCOUNT, REGION, synthesizeIam, type Decision, type RequestContext } from './stack-roles';
import { toId } from '../../lib/autopilot-stack';
import { enabledRunbooks, MODULES } from '../../lib/catalog';
import { loadConfig } from '../../lib/config/load';
import { boundOrTracing, grantedCases, grants, heldLines, lookAlikeCases, mismatches, permissionLines, stackCatalog } from './catalog-roles';

type Case = [role: string, action: string, resource: string, expected: Decision, context?: RequestContext];

const TAG = 'runbook-autopilot:allow';
const untagged = loadConfig('prod');
const config = structuredClone(untagged);
// Every runbook that may allowlist by tag does.
for (const m of MODULES) if (m.tags) (config.runbooks as Record<string, { targetTags?: Record<string, string> }>)[m.name]!.targetTags = { [TAG]: 'true' };
const iam = synthesizeIam(undefined, { config });
const untaggedIam = synthesizeIam(undefined, { config: untagged });
const enabled = new Set(enabledRunbooks(config).map((m) => m.name));

/** The functions whose grants change when their runbook allowlists by tag: their grants then, and without tags. */
const untaggedGrants = new Map(stackCatalog(untagged, ACCOUNT).roles.map((r) => [r.name, r.permissions ?? []]));
const TAGGED = stackCatalog(config, ACCOUNT).roles.flatMap((r) => {
  const without = untaggedGrants.get(r.name) ?? [];
  return r.permissions && JSON.stringify(permissionLines(r.permissions)) !== JSON.stringify(permissionLines(without)) ? [[r.name, r.permissions, without] as const] : [];
});

test('allowlisting by tag changes the grants of some function (or the cases below test nothing)', () => {
  expect(TAGGED.length).toBeGreaterThan(0);
});

describe.each(TAGGED)('%s, with targets allowlisted by tag', (name, permissions, without) => {
  test('may make every request its definition grants: on its named targets, and on a target of its type that carries the tags', async () => {
    expect(await mismatches(iam, await grantedCases(name, permissions, ACCOUNT))).toEqual([]);
  });

  test('reaches no look-alike: another name, region or account, a tag value changed or the tag left out', async () => {
    expect(await mismatches(iam, await lookAlikeCases(name, permissions, ACCOUNT))).toEqual([]);
  });

  test('holds no grant its definition does not make, besides its log group, tracing and the stack resources it is bound to', () => {
    expect(heldLines(iam, name, boundOrTracing(iam))).toEqual(permissionLines(permissions));
  });

  test('without targetTags (config/prod.json), a target of its type is reached only if named, tagged or not', async () => {
    const cases = (await grantedCases(name, permissions, ACCOUNT)).map(([role, action, resource, , context]): Case =>
      [role, action, resource, grants(without, { action, resource, ...(context ? { context: context as Record<string, string> } : {}) }) ? 'Allowed' : 'Denied', context]);
    expect(await mismatches(untaggedIam, cases)).toEqual([]);
  });
});

const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
const UNLISTED_FN = arn('lambda', 'function:someone-unlisted');
const UNLISTED_TABLE = arn('dynamodb', 'table/someone-unlisted');
const UNLISTED_SERVICE = arn('ecs', 'service/alphaswarm-cluster-prod/someone-unlisted');
const OTHER_CLUSTER_SERVICE = arn('ecs', 'service/other-cluster/someone-unlisted');
// The system's own functions (untagged): no runbook or undo role reaches them.
const OWN_ADMIT_FN = iam.arnOf('AWS::Lambda::Function', 'Admit');
const OWN_RESTORE_FN = iam.arnOf('AWS::Lambda::Function', 'UndoRestore');
const tagged: RequestContext = { [`aws:ResourceTag/${TAG}`]: 'true' };
const wrongValue: RequestContext = { [`aws:ResourceTag/${TAG}`]: 'false' };

// Tests call it with a rest parameter on purpose: Jest reads a test function with one more parameter than the row as a `done` callback.
async function expectDecision(...[role, action, resource, expected, context]: Case) {
  await expect(iam.decide(iam.role(role), action, resource, context)).resolves.toBe(expected);
}

/** Per seed runbook: its cases with tags, and what its roles may not reach without them; each runs where prod deploys the runbook. */
const SPECIFIC: Readonly<Record<string, { readonly tagged: Case[]; readonly untagged: [role: string, action: string, resource: string][] }>> = {
  'lambda-runaway': {
    tagged: [
      ['LambdaRunawayStop', 'lambda:PutFunctionConcurrency', UNLISTED_FN, 'Allowed', tagged],
      ['LambdaRunawayStop', 'lambda:PutFunctionConcurrency', UNLISTED_FN, 'Denied'],
      ['LambdaRunawayStop', 'lambda:PutFunctionConcurrency', UNLISTED_FN, 'Denied', wrongValue],
      ['LambdaRunawayStop', 'lambda:DeleteFunction', UNLISTED_FN, 'Denied', tagged],
      ['LambdaRunawayStop', 'lambda:ListTags', UNLISTED_FN, 'Allowed'],
      ['LambdaRunawayStop', 'lambda:TagResource', UNLISTED_FN, 'Denied'],
      ['LambdaRunawayInspect', 'lambda:GetFunction', UNLISTED_FN, 'Allowed', tagged],
      ['LambdaRunawayInspect', 'lambda:GetFunction', UNLISTED_FN, 'Denied'],
      ['LambdaRunawayInspect', 'lambda:PutFunctionConcurrency', UNLISTED_FN, 'Denied', tagged],
      // admit reads tags, changes nothing
      ['Admit', 'lambda:ListTags', UNLISTED_FN, 'Allowed'],
      ['Admit', 'lambda:PutFunctionConcurrency', UNLISTED_FN, 'Denied', tagged],
      // The undo: the inverse actions on a tagged function (the restore re-reads the tags first), nothing on an untagged one.
      ['UndoRestore', 'lambda:PutFunctionConcurrency', UNLISTED_FN, 'Allowed', tagged],
      ['UndoRestore', 'lambda:DeleteFunctionConcurrency', UNLISTED_FN, 'Allowed', tagged],
      ['UndoRestore', 'lambda:GetFunction', UNLISTED_FN, 'Allowed', tagged],
      ['UndoRestore', 'lambda:PutFunctionConcurrency', UNLISTED_FN, 'Denied'],
      ['UndoRestore', 'lambda:PutFunctionConcurrency', UNLISTED_FN, 'Denied', wrongValue],
      ['UndoRestore', 'lambda:DeleteFunctionConcurrency', UNLISTED_FN, 'Denied'],
      ['UndoRestore', 'lambda:PutFunctionConcurrency', OWN_ADMIT_FN, 'Denied'],
      ['UndoRestore', 'lambda:PutFunctionConcurrency', OWN_RESTORE_FN, 'Denied'],
      ['UndoRestore', 'lambda:DeleteFunctionConcurrency', OWN_RESTORE_FN, 'Denied'],
      ['UndoRestore', 'lambda:DeleteFunction', UNLISTED_FN, 'Denied', tagged],
      ['UndoRestore', 'lambda:UpdateFunctionConfiguration', UNLISTED_FN, 'Denied', tagged],
      ['UndoRestore', 'lambda:ListTags', UNLISTED_FN, 'Allowed'],
      ['UndoRestore', 'lambda:TagResource', UNLISTED_FN, 'Denied'],
      ['UndoFinish', 'lambda:GetFunction', UNLISTED_FN, 'Allowed', tagged],
      ['UndoFinish', 'lambda:GetFunction', UNLISTED_FN, 'Denied'],
      ['UndoFinish', 'lambda:PutFunctionConcurrency', UNLISTED_FN, 'Denied', tagged],
      ['UndoPlan', 'lambda:PutFunctionConcurrency', UNLISTED_FN, 'Denied', tagged],
    ],
    untagged: [
      ['Admit', 'lambda:ListTags', UNLISTED_FN],
      ['LambdaRunawayStop', 'lambda:PutFunctionConcurrency', UNLISTED_FN],
      ['UndoRestore', 'lambda:PutFunctionConcurrency', UNLISTED_FN],
      ['UndoFinish', 'lambda:GetFunction', UNLISTED_FN],
    ],
  },
  'dynamodb-throttling': {
    tagged: [
      ['DynamodbThrottlingSwitch', 'dynamodb:UpdateTable', UNLISTED_TABLE, 'Allowed', tagged],
      ['DynamodbThrottlingSwitch', 'dynamodb:UpdateTable', UNLISTED_TABLE, 'Denied'],
      ['DynamodbThrottlingSwitch', 'dynamodb:DeleteTable', UNLISTED_TABLE, 'Denied', tagged],
      ['DynamodbThrottlingSwitch', 'dynamodb:ListTagsOfResource', UNLISTED_TABLE, 'Allowed'],
      ['DynamodbThrottlingSwitch', 'dynamodb:TagResource', UNLISTED_TABLE, 'Denied'],
      ['DynamodbThrottlingCheck', 'dynamodb:DescribeTable', UNLISTED_TABLE, 'Allowed', tagged],
      ['DynamodbThrottlingCheck', 'dynamodb:UpdateTable', UNLISTED_TABLE, 'Denied', tagged],
      ['Admit', 'dynamodb:ListTagsOfResource', UNLISTED_TABLE, 'Allowed'],
      ['Admit', 'dynamodb:UpdateTable', UNLISTED_TABLE, 'Denied', tagged],
      ['UndoRestore', 'dynamodb:UpdateTable', UNLISTED_TABLE, 'Allowed', tagged],
      ['UndoRestore', 'dynamodb:DescribeTable', UNLISTED_TABLE, 'Allowed', tagged],
      ['UndoRestore', 'dynamodb:UpdateTable', UNLISTED_TABLE, 'Denied'],
      ['UndoRestore', 'dynamodb:DeleteTable', UNLISTED_TABLE, 'Denied', tagged],
      ['UndoRestore', 'dynamodb:ListTagsOfResource', UNLISTED_TABLE, 'Allowed'],
      ['UndoRestore', 'dynamodb:TagResource', UNLISTED_TABLE, 'Denied'],
      ['UndoFinish', 'dynamodb:DescribeTable', UNLISTED_TABLE, 'Allowed', tagged],
      ['UndoFinish', 'dynamodb:DescribeTable', UNLISTED_TABLE, 'Denied'],
      ['UndoFinish', 'dynamodb:UpdateTable', UNLISTED_TABLE, 'Denied', tagged],
    ],
    untagged: [
      ['DynamodbThrottlingSwitch', 'dynamodb:UpdateTable', UNLISTED_TABLE],
      ['UndoRestore', 'dynamodb:UpdateTable', UNLISTED_TABLE],
    ],
  },
  'ecs-service-recovery': {
    // Within the clusters the named targets are in.
    tagged: [
      ['EcsServiceRecoveryRedeploy', 'ecs:UpdateService', UNLISTED_SERVICE, 'Allowed', tagged],
      ['EcsServiceRecoveryRedeploy', 'ecs:UpdateService', UNLISTED_SERVICE, 'Denied'],
      ['EcsServiceRecoveryRedeploy', 'ecs:UpdateService', OTHER_CLUSTER_SERVICE, 'Denied', tagged],
      ['EcsServiceRecoveryRedeploy', 'ecs:DeleteService', UNLISTED_SERVICE, 'Denied', tagged],
      ['EcsServiceRecoveryRedeploy', 'ecs:ListTagsForResource', UNLISTED_SERVICE, 'Allowed'],
      ['EcsServiceRecoveryInspect', 'ecs:DescribeServices', UNLISTED_SERVICE, 'Allowed', tagged],
      ['EcsServiceRecoveryInspect', 'ecs:DescribeServices', UNLISTED_SERVICE, 'Denied'],
      ['Admit', 'ecs:ListTagsForResource', UNLISTED_SERVICE, 'Allowed'],
      ['Admit', 'ecs:ListTagsForResource', OTHER_CLUSTER_SERVICE, 'Denied'],
      ['Admit', 'ecs:UpdateService', UNLISTED_SERVICE, 'Denied', tagged],
      // A forced redeployment has no inverse: the undo never touches ECS.
      ['UndoRestore', 'ecs:UpdateService', UNLISTED_SERVICE, 'Denied', tagged],
    ],
    untagged: [['EcsServiceRecoveryRedeploy', 'ecs:UpdateService', UNLISTED_SERVICE]],
  },
  'llm-budget-guardrail': {
    // The budget runbook has no tag allowlist.
    tagged: [['LlmBudgetGuardrailRedeploy', 'ecs:UpdateService', UNLISTED_SERVICE, 'Denied', tagged]],
    untagged: [],
  },
};

describe.each(Object.keys(SPECIFIC))('%s, with its targets allowlisted by tag', (runbook) => {
  if (!enabled.has(runbook)) {
    test('is switched off in config/prod.json: none of its roles exist', () => {
      const id = toId(runbook);
      expect([...iam.roles.keys()].filter((role) => role.startsWith(`${id}StateMachine`) || role.startsWith(`${id}${id}`))).toEqual([]);
    });
    return;
  }
  const { tagged: cases, untagged: refused } = SPECIFIC[runbook]!;
  test.each(cases)('%s: %s on %s -> %s', (...c) => expectDecision(...c));
  if (refused.length > 0) {
    test.each(refused)('without targetTags (config/prod.json), %s may not %s an unlisted resource even if tagged', async (role, action, resource) => {
      await expect(untaggedIam.decide(untaggedIam.role(role), action, resource, tagged)).resolves.toBe('Denied');
    });
  }
});
