/**
 * credential-exposure's undo makes a leaked key active again: its gate asks one approver at least
 * in every environment, whatever the environment's undo policy; the deactivation itself is not
 * gated anywhere (containment). A secret's rotation is gated by the environment's policy (it
 * restarts services). Read from the catalog, as the stack and the drill build them.
 */
import { approvalGates } from '../../../lib/catalog';
import { loadConfig } from '../../../lib/config/load';

const ENVIRONMENTS = ['dev', 'drill', 'staging', 'prod'] as const;

test.each(ENVIRONMENTS)('%s: the undo needs one approver at least (more where the environment asks more); the deactivation has no gate, the rotation the environment\'s', (env) => {
  const config = loadConfig(env);
  const gates = approvalGates(config);
  const required = Math.max(1, config.undo.approval.requiredApprovals ?? config.approvals.requiredApprovals);

  expect(gates['credential-exposure/undo']).toEqual({ severity: 'P3', onTimeout: 'abort', requiredApprovals: required });
  expect(gates['credential-exposure/rotate']).toEqual({ severity: 'P1', onTimeout: 'abort', requiredApprovals: config.approvals.requiredApprovals });
  expect(Object.keys(gates).filter((k) => k.startsWith('credential-exposure/')).sort()).toEqual(['credential-exposure/rotate', 'credential-exposure/undo']);
});

test("another runbook's undo keeps the environment's policy (dev: nobody)", () => {
  expect(approvalGates(loadConfig('dev'))['lambda-runaway/undo']).toEqual({ severity: 'P3', onTimeout: 'abort', requiredApprovals: 0 });
});
