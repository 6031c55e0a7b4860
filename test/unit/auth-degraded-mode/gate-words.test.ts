import type { Gate } from '../../../lambdas/approval/store';
import { degradeAuthWords } from '../../../runbooks/auth-degraded-mode/gates';

const TD = 'arn:aws:ecs:sa-east-1:111122223333:task-definition/alphaswarm-api-prod:14';
const gate = (value: string): Gate => ({
  runbook: 'auth-degraded-mode', step: 'degrade-auth', summary: 's', firedAt: '2026-12-07T02:00:00Z', operation: 'ecs:UpdateService', target: 'alphaswarm-cluster-prod/alphaswarm-api-prod',
  parameters: { cluster: 'alphaswarm-cluster-prod', service: 'alphaswarm-api-prod', from: TD, container: 'alphaswarm-api', variable: 'AUTH_MODE', value },
  evidence: { diagnosis: { variable: 'AUTH_MODE', value: 'strict', taskDefinition: TD, operatorUiFirewalled: true, revertAfterMinutes: 90 } },
  severity: 'P1',
});

test('the question names the value the approved call sets (the configured permissive value), and the revert delay', () => {
  const words = degradeAuthWords({ gate: gate('off'), live: undefined });
  expect(words.headline).toBe("Set AUTH_MODE=off on alphaswarm-cluster-prod/alphaswarm-api-prod while Auth0's JWKS is unreachable?");
  expect(words.approve).toContain('schedules the revert in 90 minutes');
  expect(words.now).toContain('alphaswarm-api-prod:14 with AUTH_MODE=strict');
});
