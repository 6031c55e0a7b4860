import type * as z from '../shared/zod';

/**
 * The first thing wrong with a value, as one line naming the field: `detail.alarmName: expected
 * string, received null`, `Records[0].Sns.TopicArn: ...`, `(root): ...` for the value itself.
 */
export function firstIssue(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  if (!issue) return '(root): invalid';
  const path = issue.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('').replace(/^\./, '');
  // zod's English messages open with "Invalid input: " before saying what was expected; the field says that already.
  return `${path || '(root)'}: ${issue.message.replace(/^Invalid input: /, '')}`;
}
