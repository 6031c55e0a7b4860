/** What every auth-degraded-mode handler reads from its environment (never from runbook.ts). */
import * as z from '../../lambdas/shared/zod';
import { requireJsonEnv } from '../../lambdas/shared/env';

const targetSettingsSchema = z.record(z.string(), z.object({ container: z.string(), operatorUiFirewalled: z.boolean() }));
export type TargetSettings = z.infer<typeof targetSettingsSchema>;

/** Per "cluster/service": its container with the auth variable, and whether its operator UI is firewalled at the ingress. */
export const targetSettings = (): TargetSettings => requireJsonEnv('AUTH_TARGETS', (raw) => targetSettingsSchema.parse(raw));
