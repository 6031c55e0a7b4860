import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { isDerived, planDegrade, revertScheduleName, variableOf, withVariable, type AuthFacts } from '../../../runbooks/auth-degraded-mode/auth-plan';

const facts = (over: Partial<AuthFacts> = {}): AuthFacts => ({
  service: 'c/api', operatorUiFirewalled: true, container: 'api', variable: 'ALPHASWARM_AUTH_ENFORCE', value: 'strict', containerFound: true,
  permissive: 'permissive', rolloutState: 'COMPLETED', ...over,
});
const source: RegisterTaskDefinitionCommandInput = {
  family: 'api', cpu: '1024', memory: '2048', executionRoleArn: 'arn:aws:iam::1:role/exec', taskRoleArn: 'arn:aws:iam::1:role/task',
  requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc',
  containerDefinitions: [
    { name: 'api', image: 'img@sha256:1', environment: [{ name: 'A', value: '1' }, { name: 'ALPHASWARM_AUTH_ENFORCE', value: 'strict' }], secrets: [{ name: 'DB', valueFrom: 'arn:secret' }] },
    { name: 'sidecar', image: 'proxy', environment: [{ name: 'ALPHASWARM_AUTH_ENFORCE', value: 'strict' }] },
  ],
  tags: [{ key: 'b', value: '2' }, { key: 'a', value: '1' }],
};

describe('planDegrade (seed 001 D)', () => {
  test('a firewalled operator UI with auth strict degrades', () => {
    expect(planDegrade(facts()).decision).toBe('degrade');
  });

  test('an operator UI not firewalled is notify-only, whatever else holds, and says why', () => {
    const plan = planDegrade(facts({ operatorUiFirewalled: false, rolloutState: 'IN_PROGRESS' }));
    expect(plan.decision).toBe('not-firewalled');
    expect(plan.reason).toContain('is not firewalled at the ingress');
  });

  test.each([
    ['already permissive', { value: 'permissive' }, 'already-permissive'],
    ['no such container', { containerFound: false, value: undefined }, 'no-variable'],
    ['the variable not set', { value: undefined }, 'no-variable'],
    ['a deployment in progress', { rolloutState: 'IN_PROGRESS' }, 'rollout-in-progress'],
  ] as const)('%s: nothing changed', (_what, over, decision) => {
    expect(planDegrade(facts(over)).decision).toBe(decision);
  });
});

describe('the permissive registration', () => {
  test('sets the variable in the named container only; every other field, variable, secret reference and tag is kept', () => {
    const next = withVariable(source, 'api', 'ALPHASWARM_AUTH_ENFORCE', 'permissive');

    expect(variableOf(next, 'api', 'ALPHASWARM_AUTH_ENFORCE')).toBe('permissive');
    expect(variableOf(next, 'sidecar', 'ALPHASWARM_AUTH_ENFORCE')).toBe('strict');
    const { containerDefinitions: after, ...restAfter } = next;
    const { containerDefinitions: before, ...restBefore } = source;
    expect(restAfter).toEqual(restBefore);
    expect(after![0]).toEqual({ ...before![0], environment: [{ name: 'A', value: '1' }, { name: 'ALPHASWARM_AUTH_ENFORCE', value: 'permissive' }] });
    expect(after![1]).toEqual(before![1]);
    // The source is not changed in place.
    expect(variableOf(source, 'api', 'ALPHASWARM_AUTH_ENFORCE')).toBe('strict');
  });

  test('a revision is ours when it is the source with only the variable set (tags in any order); anything else is not', () => {
    const ours = { ...withVariable(source, 'api', 'ALPHASWARM_AUTH_ENFORCE', 'permissive'), tags: [...source.tags!].reverse() };
    expect(isDerived(ours, source, 'api', 'ALPHASWARM_AUTH_ENFORCE', 'permissive')).toBe(true);
    expect(isDerived(source, source, 'api', 'ALPHASWARM_AUTH_ENFORCE', 'permissive')).toBe(false);
    expect(isDerived({ ...ours, cpu: '2048' }, source, 'api', 'ALPHASWARM_AUTH_ENFORCE', 'permissive')).toBe(false);
    expect(isDerived({ ...ours, containerDefinitions: [{ ...ours.containerDefinitions![0]!, image: 'img@sha256:2' }, ours.containerDefinitions![1]!] }, source, 'api', 'ALPHASWARM_AUTH_ENFORCE', 'permissive')).toBe(false);
  });

  test('the revert schedule is named per incident, within the Scheduler name pattern', () => {
    expect(revertScheduleName('inc-0123456789abcdef')).toBe('auth-revert-inc-0123456789abcdef');
    expect(revertScheduleName('inc-0123456789abcdef')).toMatch(/^[0-9a-zA-Z-_.]{1,64}$/);
  });
});
