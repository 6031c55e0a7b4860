/** The open positions the application reports (a CloudWatch metric it publishes), read as a pause needs them. */
import * as z from '../../lambdas/shared/zod';
import type { MetricReader } from '../../lambdas/aws/cloudwatch';
import { positionsOf, type Positions } from './drift-plan';

/** Where the application publishes its open positions (config openPositions): TradAI/Trading OpenPositions, one value a minute. */
export const openPositionsSchema = z.object({
  namespace: z.string().check(z.minLength(1)),
  metricName: z.string().check(z.minLength(1)),
  dimensions: z.record(z.string(), z.string()),
  periodSeconds: z.int().check(z.gte(60)),
  /** A newest datapoint older than this cannot tell whether a position is open. */
  freshMinutes: z.int().check(z.gte(1)),
});
export type OpenPositionsSource = z.infer<typeof openPositionsSchema>;

/** How far back the newest datapoint is looked for: far enough to say how old it is when it is stale. */
const LOOKBACK_MINUTES = 60;

/** The newest OpenPositions datapoint (its Maximum over one period), judged: none, open, or unknown. */
export async function readPositions(reader: MetricReader, source: OpenPositionsSource, now: Date): Promise<Positions> {
  const newest = await reader.latest(
    { namespace: source.namespace, metricName: source.metricName, dimensions: source.dimensions },
    { periodSeconds: source.periodSeconds, stat: 'Maximum', lookbackMinutes: Math.max(LOOKBACK_MINUTES, source.freshMinutes * 2), now },
  );
  return positionsOf(newest, now, source.freshMinutes);
}
