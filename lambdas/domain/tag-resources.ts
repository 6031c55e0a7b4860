/**
 * The kinds of resource a runbook may allowlist by tag (its module's `tags.resource`), each with
 * the action that reads a candidate's tags. lambdas/shared/target-tags.ts reads them; the stack
 * grants the action where the runbook's tagged targets may be.
 */
export const TAG_RESOURCES = {
  'lambda:function': { readAction: 'lambda:ListTags' },
  'dynamodb:table': { readAction: 'dynamodb:ListTagsOfResource' },
  /** A "cluster/service" key. */
  'ecs:service': { readAction: 'ecs:ListTagsForResource' },
} as const;

export type TagResource = keyof typeof TAG_RESOURCES;
export const TAG_RESOURCE_KINDS = Object.keys(TAG_RESOURCES) as [TagResource, ...TagResource[]];
