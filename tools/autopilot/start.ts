/**
 * `start <runbook> --target T --alarm A --reason R`: a person's run of a runbook, through the same
 * admit as an alarm (lambdas/domain/manual-start.ts): StartExecution of the runbook's state machine
 * with a Manual Start input. The input is read here exactly as admit will read it, so a start
 * admit would reject is refused before anything is sent.
 */
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import { MODULES, runbookConfig, runbookPolicies, stateMachineNameOf } from '../../lib/catalog';
import { manualStartEvent, PERSON_NAME } from '../../lambdas/domain/manual-start';
import { executionConsoleUrl } from '../../lambdas/domain/message';
import { incidentIdFor, manualOccurrenceProblem, parseTrigger, UnroutableEvent } from '../../lambdas/domain/trigger';
import { BUNDLED_TRIGGERS } from '../../lambdas/shared/runbook-triggers';
import { deployedStateMachineArn, UndoStartError } from '../undo';
import { CliError, usageError } from './errors';
import type { Output } from './output';
import { deployedOnly, type Settings } from './settings';
import { openStack } from './stack';

export interface StartOptions {
  readonly target: string;
  readonly alarm?: string;
  /** What a runbook started by service events acts on besides the target (its module's manualStart: an access key id). */
  readonly occurrence?: string;
  readonly reason?: string;
  readonly as?: string;
}

/** Who is typing: their user name, which must be how config names them as an approver (they may not approve their own run). */
export function currentUser(): string {
  try {
    return process.env.USER ?? os.userInfo().username;
  } catch {
    return '';
  }
}

export async function startRunbook(settings: Settings, runbook: string, o: StartOptions, now: () => Date = () => new Date()): Promise<Output> {
  const stackSettings = deployedOnly(settings, 'start runs a runbook in', 'replay a manual start in the drill with npm run drill -- --event events/samples/manual-start.json');
  const module = MODULES.find((m) => m.name === runbook);
  if (!module) throw usageError(`unknown runbook "${runbook}" (known: ${MODULES.map((m) => m.name).join(', ')})`);
  const stack = openStack(stackSettings);
  if (!runbookConfig(stack.config, module).enabled) throw usageError(`${runbook} is not enabled in config/${stack.env}.json, so the stack deploys no state machine for it`);
  if (module.trigger?.kind === 'alarm') {
    if (!o.alarm) throw usageError(`--alarm NAME is needed: ${runbook} verifies its change by that CloudWatch alarm returning to OK`);
  } else if (module.manualStart) {
    const problem = manualOccurrenceProblem(runbook, module.manualStart, o.occurrence);
    if (problem) throw usageError(`--occurrence: ${problem}`);
  } else {
    throw usageError(`${runbook} cannot be started by hand: it acts on what the budget alert or service event that starts it says, which a manual start does not carry`);
  }
  if (!o.reason) throw usageError('--reason TEXT is needed: the ledger and every notification of the run say why it was started by hand');
  const startedBy = o.as ?? currentUser();
  if (!PERSON_NAME.test(startedBy)) {
    throw usageError(`--as ${JSON.stringify(startedBy)}: your name as config names approvers (lower-case letters, digits, . _ -): you may not approve the run you start`);
  }
  const policy = runbookPolicies(stack.config)[runbook]!;
  if (!policy.targets.includes(o.target) && policy.targetTags === undefined) {
    throw usageError(`${o.target} is not a target of ${runbook} in config/${stack.env}.json (configured: ${policy.targets.join(', ')})`);
  }

  const requestId = `man-${randomBytes(8).toString('hex')}`;
  const event = manualStartEvent({
    runbook, target: o.target, ...(o.alarm !== undefined ? { alarmName: o.alarm } : {}), ...(module.manualStart && o.occurrence !== undefined ? { occurrence: o.occurrence } : {}),
    reason: o.reason, startedBy, requestId, time: now(),
  });
  let incidentId: string;
  try {
    incidentId = incidentIdFor(parseTrigger(runbook, event, BUNDLED_TRIGGERS[runbook]).dedupeKey);
  } catch (e: unknown) {
    if (e instanceof UnroutableEvent) throw usageError(e.message);
    throw e;
  }

  const name = stateMachineNameOf(stack.env, runbook);
  const started = await stack.call(`starting ${name}`, async () => {
    let stateMachineArn: string;
    try {
      stateMachineArn = await deployedStateMachineArn(stack.sfn, name, stack.region, stack.config.account, `or give the --region and --profile ${stack.stack} is deployed with`);
    } catch (e: unknown) {
      if (e instanceof UndoStartError) throw new CliError(e.message);
      throw e;
    }
    // Named after the start: sent again (a retry), Step Functions starts nothing twice.
    const out = await stack.sfn.send(new StartExecutionCommand({ stateMachineArn, name: requestId, input: JSON.stringify(event) }));
    return { stateMachineArn, executionArn: out.executionArn ?? '' };
  });
  const consoleUrl = executionConsoleUrl(stack.region, started.executionArn);
  return {
    data: { runbook, target: o.target, alarm: o.alarm, occurrence: o.occurrence, startedBy, requestId, incidentId, ...started, consoleUrl },
    text: [
      `started ${runbook} on ${o.target} (by ${startedBy}): incident ${incidentId}`,
      `  execution ${started.executionArn}`,
      `  watch it: ${consoleUrl}`,
      `admit decides first (allowlist, switches, cooldown, safety rails): autopilot --env ${stack.env} history ${incidentId}`,
    ],
  };
}
