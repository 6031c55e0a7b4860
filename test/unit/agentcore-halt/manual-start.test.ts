import { manualStartEvent } from '../../../lambdas/domain/manual-start';
import { manualOccurrenceProblem, parseTrigger, UnroutableEvent } from '../../../lambdas/domain/trigger';
import triggers from '../../../lambdas/shared/runbook-triggers.generated.json';

const started = (triggers as unknown as Record<string, Parameters<typeof parseTrigger>[2]>)['agentcore-halt'];
const start = (extra: { occurrence?: string } = {}) => manualStartEvent({
  runbook: 'agentcore-halt', target: 'prod', reason: 'agents trading outside their limits', startedBy: 'alice', requestId: 'man-0123456789abcdef', time: new Date('2026-12-06T22:41:00Z'), ...extra,
});

test('an operator names the environment and a reason, nothing more: the start is read as the halt of that environment', () => {
  expect(started?.manual).toEqual({});
  expect(parseTrigger('agentcore-halt', start(), started)).toEqual({
    kind: 'manual', target: 'prod', dedupeKey: 'manual|agentcore-halt|man-0123456789abcdef', firedAt: '2026-12-06T22:41:00.000Z',
    summary: 'Manual start by alice on prod: agents trading outside their limits', source: { name: 'manual start by alice' },
  });
});

test('a start that names something the halt does not take is refused in one line', () => {
  expect(() => parseTrigger('agentcore-halt', start({ occurrence: 'AKIAIOSFODNN7EXAMPLE' }), started)).toThrow(UnroutableEvent);
  expect(manualOccurrenceProblem('agentcore-halt', {}, 'x')).toBe('a manual start of agentcore-halt names only its target and a reason, not "x"');
  // A runbook that needs an occurrence still refuses a start without one.
  expect(manualOccurrenceProblem('credential-exposure', { occurrence: 'an access key id', pattern: '^AKIA' }, undefined)).toMatch(/must name an access key id/);
});
