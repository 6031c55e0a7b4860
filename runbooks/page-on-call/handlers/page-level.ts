import * as z from '../../../lambdas/shared/zod';
import { outcomeNotification } from '../../../lambdas/domain/message';
import { LEVELS } from '../../../lambdas/domain/approval';
import { requireEnv } from '../../../lambdas/shared/env';
import { InvalidInput } from '../../../lambdas/shared/errors';
import { taskHandler } from '../../../lambdas/shared/handler';
import { publishNotification } from '../../../lambdas/shared/publish';
import { stepInputSchema } from '../../../lambdas/shared/task-input';

const region = requireEnv('AWS_REGION');
/** Where docs/runbooks/ is served; unset, the page names its path in the repository. */
const pagesUrl = process.env.RUNBOOK_PAGES_URL || undefined;

const inputSchema = z.object({
  ...stepInputSchema.shape,
  level: z.enum(LEVELS),
  topics: z.record(z.string(), z.string()),
  page: z.looseObject({ summary: z.string().check(z.minLength(1)) }),
});

export interface LevelPage {
  readonly level: string;
  readonly topicArn: string;
  readonly messageId: string;
}

/**
 * Pages one level of seed 004's escalation path on its own topic (config acknowledgement.levelTopics):
 * the same page the critical topic gets for a level without one, the level named. The topic is the
 * state machine's choice; one it names for no level is refused.
 */
export const handler = taskHandler(inputSchema, async ({ incident, execution, level, topics, page }): Promise<LevelPage> => {
  const topicArn = topics[level];
  if (topicArn === undefined || topicArn === '') throw new InvalidInput(`no topic is configured for ${level}`);
  const notification = outcomeNotification({
    outcome: 'escalated', reason: `${level}: ${page.summary}`, runbook: incident.runbook, incident, actions: [], executionArn: execution.id, region,
    evidence: page, ...(pagesUrl ? { pagesUrl } : {}),
  });
  const messageId = await publishNotification(topicArn, notification, { runbook: incident.runbook, outcome: 'escalated', level }, `sns:Publish of the ${level} page`);
  return { level, topicArn, messageId };
});
