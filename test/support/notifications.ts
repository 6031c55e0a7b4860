/**
 * What an SNS notification delivers, read the way its subscribers read it, and the custom
 * notification format of Amazon Q Developer in chat applications written from its user guide
 * ("Custom notifications": version "1.0" and source "custom" required, content.description
 * required, the rest optional), with the caps docs/operating.md states. Written here, apart from
 * lambdas/domain/notification.ts, so the builder is checked against the format, not against itself.
 */
import { z } from 'zod';

export const chatNotificationSchema = z.strictObject({
  version: z.literal('1.0'),
  source: z.literal('custom'),
  id: z.string().min(1).optional(),
  content: z.strictObject({
    textType: z.literal('client-markdown').optional(),
    title: z.string().min(1).max(250).optional(),
    description: z.string().min(1).max(4000),
    nextSteps: z.array(z.string().min(1).max(500)).max(6).optional(),
    keywords: z.array(z.string().min(1).max(50)).max(5).optional(),
  }),
  metadata: z.strictObject({
    threadId: z.string().min(1).optional(),
    summary: z.string().min(1).optional(),
    // The name a custom action's attachment matches (NotificationType: letters, digits, hyphens).
    eventType: z.string().regex(/^[a-zA-Z0-9-]{1,100}$/).optional(),
    relatedResources: z.array(z.string().min(1)).max(10).optional(),
    additionalContext: z.record(z.string(), z.string()).optional(),
  }).optional(),
});
export type ChatNotification = z.infer<typeof chatNotificationSchema>;

export interface Delivered {
  readonly subject: string;
  /** What https (Amazon Q Developer), sqs, lambda and every protocol the message does not name receive. */
  readonly chat: ChatNotification;
  readonly email: string;
  readonly sms: string;
}

/** The bodies of a Publish call (or a message the sandbox kept), by who reads them; throws when one is missing or off-format. */
export function delivered(p: { Subject?: string | undefined; Message?: string | undefined; MessageStructure?: string | undefined }): Delivered {
  if (p.MessageStructure !== 'json') throw new Error(`MessageStructure is ${String(p.MessageStructure)}, not json`);
  const bodies = z.strictObject({ default: z.string(), email: z.string(), sms: z.string() }).parse(JSON.parse(p.Message ?? ''));
  return { subject: p.Subject ?? '', chat: chatNotificationSchema.parse(JSON.parse(bodies.default)), email: bodies.email, sms: bodies.sms };
}

/** The same, for a message the sandbox kept. */
export function deliveredFromSandbox(m: { subject: string | undefined; message: string; messageStructure: string | undefined }): Delivered {
  return delivered({ Subject: m.subject, Message: m.message, MessageStructure: m.messageStructure });
}

/** An approver's own link: the approval page URL in the email body (the only body that carries it). */
export function approvalLinkIn(p: Parameters<typeof delivered>[0]): string {
  const link = /https?:\/\/\S+\/approvals\/\S+/.exec(delivered(p).email)?.[0];
  if (!link) throw new Error('no approval link in the email body');
  return link;
}
