import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import * as z from '../shared/zod';
import {
  MalformedBudgetNotification, MalformedSnsNotification, parseBudgetNotification, unwrapSnsNotification,
  type BudgetNotification, type SnsNotification,
} from '../domain/budget-notification';
import { autopilotEventSchema, budgetDedupeKey, incidentIdFor } from '../domain/trigger';
import { requireEnv, requireJsonEnv } from '../shared/env';
import { classifyAwsError } from '../shared/errors';
import { logger } from '../shared/logger';

/** The runbook AWS Budgets alerts start (its module's trigger), and its state machine. */
const RUNBOOK = requireEnv('RUNBOOK');
const STATE_MACHINE_ARN = requireEnv('STATE_MACHINE_ARN');
const BUDGET_NAMES = new Set(requireJsonEnv('BUDGET_NAMES', (raw) => z.array(z.string().check(z.minLength(1))).check(z.minLength(1)).parse(raw)));
const sfn = new SFNClient({});

export interface AdapterSummary {
  readonly started: string[];
  readonly duplicates: number;
  readonly skipped: { readonly reason: string }[];
}

type BudgetEvent = Extract<z.infer<typeof autopilotEventSchema>, { 'detail-type': 'Budget Notification' }>;

/** SNS stamps ISO 8601 UTC; its month is the budget period the dedupe key names. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

function budgetEvent(sns: SnsNotification, alert: BudgetNotification): BudgetEvent {
  return {
    source: 'runbook-autopilot',
    'detail-type': 'Budget Notification',
    detail: {
      budgetName: alert.budgetName,
      alertType: alert.alertType,
      thresholdAmount: alert.thresholdAmount,
      actualOrForecastAmount: alert.actualOrForecastAmount,
      budgetedAmount: alert.budgetedAmount,
      messageId: sns.messageId,
      topicArn: sns.topicArn,
      timestamp: sns.timestamp,
    },
  };
}

/**
 * Bad input is logged once and skipped, never thrown: a retry of the same notification cannot
 * fix it. Only a failure to start the execution throws, so the asynchronous invoke retries it.
 */
async function handle(event: unknown): Promise<AdapterSummary> {
  const started: string[] = [];
  const skipped: { reason: string }[] = [];
  let duplicates = 0;

  let notifications: SnsNotification[];
  try {
    notifications = unwrapSnsNotification(event);
  } catch (e: unknown) {
    if (!(e instanceof MalformedSnsNotification)) throw e;
    logger.error(`Ignored an input that is not an SNS notification: ${e.message}`);
    return { started, duplicates, skipped: [{ reason: e.message }] };
  }

  for (const sns of notifications) {
    const where = { messageId: sns.messageId, topicArn: sns.topicArn };
    let alert: BudgetNotification;
    try {
      alert = parseBudgetNotification(sns.message);
      if (!ISO_TIME.test(sns.timestamp)) throw new MalformedBudgetNotification(`SNS Timestamp is not an ISO 8601 time: "${sns.timestamp}"`);
    } catch (e: unknown) {
      if (!(e instanceof MalformedBudgetNotification)) throw e;
      logger.error(`Ignored a malformed budget notification: ${e.message}`, where);
      skipped.push({ reason: e.message });
      continue;
    }
    if (!BUDGET_NAMES.has(alert.budgetName)) {
      const reason = `budget ${alert.budgetName} is not a configured budget of ${RUNBOOK}`;
      logger.warn(`Ignored a budget notification: ${reason}`, where);
      skipped.push({ reason });
      continue;
    }

    const input = budgetEvent(sns, alert);
    // Named after the incident admit will derive, so a redelivery cannot start a second run.
    const name = incidentIdFor(budgetDedupeKey(input.detail));
    // One invocation may carry several notifications: each line names its own incident and execution.
    const incident = { incidentId: name, executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${name}` };
    try {
      const out = await sfn.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, name, input: JSON.stringify(input) }));
      // A running execution with the same name and input is returned again rather than refused.
      if (out.executionArn) started.push(out.executionArn);
      logger.info(`Started ${RUNBOOK}`, { ...where, ...incident, name, budgetName: alert.budgetName });
    } catch (e: unknown) {
      if (e instanceof ExecutionAlreadyExists) {
        duplicates += 1;
        logger.info('Duplicate budget notification: its execution already exists', { ...where, ...incident, name });
        continue;
      }
      const error = classifyAwsError(e, `states:StartExecution ${name} on ${STATE_MACHINE_ARN}`);
      logger.error(`Could not start ${RUNBOOK}; the invocation is retried`, { ...where, ...incident, name, error: { name: error.name, message: error.message } });
      throw error;
    }
  }
  return { started, duplicates, skipped };
}

/** Subscribed to the budget topic: turns each AWS Budgets notification into one execution of the runbook it starts. */
export const handler = middy(handle).use(injectLambdaContext(logger, { resetKeys: true }));
