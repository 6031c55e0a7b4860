import type { ServiceContext } from './model';

/** The role the drill's handlers act as; named in access-denied messages. */
export const DRILL_PRINCIPAL_ROLE = 'runbook-autopilot-drill';

/** IAM's wording when no policy allows an action. */
export function accessDeniedMessage(ctx: ServiceContext, action: string, resource: string): string {
  const principal = `arn:aws:sts::${ctx.state.accountId}:assumed-role/${DRILL_PRINCIPAL_ROLE}/drill`;
  return `User: ${principal} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;
}

/** JSON protocols carry timestamps as epoch seconds. */
export function epochSeconds(iso: string): number {
  return Date.parse(iso) / 1000;
}

/** A UUID-shaped id from 32 hex digits (request ids, SNS message ids). */
export function uuidFromHex(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
