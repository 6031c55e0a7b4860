/**
 * `pause` and `resume`: the kill switch and the per-runbook switches, the very SSM parameters admit
 * reads (lib/catalog.ts switchParameters, lambdas/domain/switches.ts), written as an operator
 * would with `aws ssm put-parameter --overwrite`. SSM keeps each parameter's history (who, when).
 */
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { switchParameters } from '../../lib/catalog';
import { AUTOMATION_ON, AUTOMATION_PAUSED, RUNBOOK_OFF, RUNBOOK_ON } from '../../lambdas/domain/switches';
import { usageError } from './errors';
import { runbookNames, type Output } from './output';
import { deployedOnly, type Settings } from './settings';
import { readParameters } from './stack-source';
import { openStack } from './stack';

export async function setSwitch(settings: Settings, runbook: string | undefined, on: boolean): Promise<Output> {
  const verb = on ? 'resume' : 'pause';
  const stackSettings = deployedOnly(settings, `${verb} changes the switches of`,
    'each drill starts with every switch on (drill a paused account with npm run drill -- --scenario drill/scenarios/automation-paused.json)');
  if (runbook !== undefined && !(await runbookNames()).includes(runbook)) throw usageError(`unknown runbook "${runbook}" (known: ${(await runbookNames()).join(', ')})`);
  const stack = openStack(stackSettings);
  const names = switchParameters(stack.config);
  const parameter = runbook === undefined ? names.automation : names.runbooks[runbook];
  if (parameter === undefined) throw usageError(`${runbook} is not enabled in config/${stack.env}.json, so the stack deploys no switch for it`);
  const value = runbook === undefined ? (on ? AUTOMATION_ON : AUTOMATION_PAUSED) : (on ? RUNBOOK_ON : RUNBOOK_OFF);

  const current = await readParameters(stack, [...new Set([parameter, names.automation])]);
  const before = current.get(parameter) ?? null;
  const changed = before !== value;
  if (changed) {
    await stack.call(`writing ${parameter}`, () => stack.ssm.send(new PutParameterCommand({ Name: parameter, Value: value, Type: 'String', Overwrite: true })));
  }
  const automation = runbook === undefined ? value : current.get(names.automation) ?? null;
  const label = runbook ?? 'automation';
  const text = [changed ? `${label}: ${before ?? 'missing'} -> ${value} (${parameter})` : `${label} is already ${value} (${parameter}): nothing written`];
  if (changed) {
    text.push(on
      ? `admit lets ${runbook ?? 'the runbooks'} act again within SWITCH_MAX_AGE_SECONDS (5 s by default); alarms that fired while held are not replayed`
      : `admit holds ${runbook ?? 'every runbook'} within SWITCH_MAX_AGE_SECONDS (5 s by default); runs already past admit go on`);
  }
  if (runbook !== undefined && on && automation !== AUTOMATION_ON) text.push(`automation itself is ${automation ?? 'missing'} (${names.automation}): autopilot resume releases it`);
  return { data: { switch: label, parameter, before, after: value, changed, automation }, text };
}
