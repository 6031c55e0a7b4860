import { imagePins, pinWarning, planRollback, type RollbackFacts } from '../../../runbooks/ecs-deployment-rollback/rollback-plan';

const td = (rev: number) => `arn:aws:ecs:sa-east-1:111122223333:task-definition/alphaswarm-admin-prod:${rev}`;
const rev = (n: number) => `arn:aws:ecs:sa-east-1:111122223333:service-revision/alphaswarm-cluster-prod/alphaswarm-admin-prod/${n}`;
const sd = (id: string, status: string, revision: number, createdAt: string) => ({
  arn: `arn:aws:ecs:sa-east-1:111122223333:service-deployment/alphaswarm-cluster-prod/alphaswarm-admin-prod/${id}`,
  status, statusReason: null, createdAt, finishedAt: createdAt, targetRevisionArn: rev(revision),
});
const revisions = [41, 42, 43].map((n) => ({ arn: rev(n), taskDefinition: td(n), containerImages: [] }));
const FAILED = 'ecs-svc/4519867253017263412';

const facts = (over: Partial<RollbackFacts> = {}): RollbackFacts => ({
  failedDeploymentId: FAILED,
  serviceTaskDefinition: td(43),
  circuitBreaker: { enable: true, rollback: false },
  deployments: [{ id: FAILED, status: 'PRIMARY', rolloutState: 'FAILED', taskDefinition: td(43) }],
  history: [sd('c', 'STOPPED', 43, '2026-11-23T02:53:00Z'), sd('b', 'SUCCESSFUL', 42, '2026-11-22T01:04:00Z'), sd('a', 'SUCCESSFUL', 41, '2026-11-14T01:04:00Z')],
  revisions,
  ...over,
});

test('the newest successful deployment on another task definition is the one rolled back to', () => {
  const plan = planRollback(facts());
  expect(plan).toMatchObject({ decision: 'rollback', failedTaskDefinition: td(43), target: { taskDefinition: td(42) } });
  expect(plan.reason).toContain('alphaswarm-admin-prod:43');
});

test('a successful deployment of the very task definition that failed is skipped; a rolled-back one never counts as good', () => {
  const history = [
    sd('d', 'STOPPED', 43, '2026-11-23T02:53:00Z'), sd('c', 'ROLLBACK_SUCCESSFUL', 42, '2026-11-22T05:00:00Z'),
    sd('b', 'SUCCESSFUL', 43, '2026-11-22T01:04:00Z'), sd('a', 'SUCCESSFUL', 41, '2026-11-14T01:04:00Z'),
  ];
  expect(planRollback(facts({ history })).target?.taskDefinition).toBe(td(41));
});

test('no successful deployment on another task definition: nothing to roll back to, said so', () => {
  const only = planRollback(facts({ history: [sd('c', 'STOPPED', 43, '2026-11-23T02:53:00Z')] }));
  expect(only).toMatchObject({ decision: 'no-older-version', target: null, reason: expect.stringContaining('no successful deployment') });
  const same = planRollback(facts({ history: [sd('c', 'STOPPED', 43, '2026-11-23T02:53:00Z'), sd('b', 'SUCCESSFUL', 43, '2026-11-22T01:04:00Z')] }));
  expect(same).toMatchObject({ decision: 'no-older-version', reason: expect.stringContaining('ran alphaswarm-admin-prod:43 too') });
});

test('the circuit breaker rolls back itself: watched, whatever the history says', () => {
  expect(planRollback(facts({ circuitBreaker: { enable: true, rollback: true } })).decision).toBe('circuit-breaker');
  // Rollback without the breaker enabled does nothing in ECS.
  expect(planRollback(facts({ circuitBreaker: { enable: false, rollback: true } })).decision).toBe('rollback');
});

test('a deployment no longer primary, or a service on another task definition, is superseded', () => {
  expect(planRollback(facts({ deployments: [{ id: 'ecs-svc/1', status: 'PRIMARY', rolloutState: 'IN_PROGRESS', taskDefinition: td(44) }, { id: FAILED, status: 'ACTIVE', rolloutState: 'FAILED', taskDefinition: td(43) }] })).decision).toBe('superseded');
  expect(planRollback(facts({ serviceTaskDefinition: td(42) })).decision).toBe('superseded');
  expect(planRollback(facts({ deployments: [] })).decision).toBe('superseded');
});

test('images by tag are not pinned (the page says what the tag resolved to then); by digest they are', () => {
  const digest = `sha256:${'a'.repeat(64)}`;
  const revision = { arn: rev(42), taskDefinition: td(42), containerImages: [{ containerName: 'admin', image: 'repo/admin:v1.4.2', imageDigest: digest }] };
  const pins = imagePins([{ name: 'admin', image: 'repo/admin:v1.4.2' }, { name: 'adot', image: `repo/adot@${digest}` }], revision);
  expect(pins).toEqual([
    { containerName: 'admin', image: 'repo/admin:v1.4.2', pinned: false, deployedDigest: digest },
    { containerName: 'adot', image: `repo/adot@${digest}`, pinned: true, deployedDigest: null },
  ]);
  expect(pinWarning(pins)).toMatch(/^Not pinned by digest: admin runs repo\/admin:v1\.4\.2 \(sha256:a+ when it last deployed\)\. A task-definition rollback with a mutable tag/);
  expect(pinWarning(pins.filter((p) => p.pinned))).toBe('');
});
