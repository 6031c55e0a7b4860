import { RUNBOOK_TAG, TARGET_TAG } from '../lambdas/domain/routing';
import { AUTOMATION_ON, RUNBOOK_ON } from '../lambdas/domain/switches';
import { admissionPolicyParameters, MODULES, switchParameters } from '../lib/catalog';
import type { EnvironmentConfig } from '../lib/config/schema';
import type { AccountState } from './sandbox';

/** What a team and the stack add to an account before anything fires: the drill's and the backtest's. */

/** The seed alarms a team tagged to route to a runbook (its module's drill.taggedAlarms), tagged so. */
export function withRunbookTags(state: AccountState): AccountState {
  for (const m of MODULES) {
    for (const [name, { target }] of Object.entries(m.drill.taggedAlarms ?? {})) {
      const alarm = state.cloudwatch.alarms[name] ?? state.cloudwatch.compositeAlarms[name];
      if (!alarm) throw new Error(`${m.name}: drill.taggedAlarms names ${name}, which the seed account has no alarm of`);
      alarm.tags = { [RUNBOOK_TAG]: m.name, ...(target ? { [TARGET_TAG]: target } : {}), ...alarm.tags };
    }
  }
  return state;
}

/** The parameters the stack creates for admit, as the deployed account has them: the switches "enabled", each runbook's policy. */
export function withAdmissionParameters(state: AccountState, config: EnvironmentConfig): AccountState {
  const names = switchParameters(config);
  const parameter = (value: string) => ({ type: 'String' as const, value, version: 1, lastModified: new Date().toISOString(), history: [] });
  state.ssm.parameters[names.automation] = parameter(AUTOMATION_ON);
  for (const name of Object.values(names.runbooks)) state.ssm.parameters[name] = parameter(RUNBOOK_ON);
  for (const policy of admissionPolicyParameters(config)) state.ssm.parameters[policy.name] = parameter(policy.value);
  return state;
}
