import { CostExplorerClient, GetCostAndUsageCommand, type GetCostAndUsageCommandInput } from '@aws-sdk/client-cost-explorer';
import type { CostPage, CostWindow } from './cost-driver';
import { AwsThrottled, classifyAwsError } from '../../lambdas/shared/errors';

/** Grouping by one tag key yields few pages; more than this means the token is looping. */
const MAX_PAGES = 50;

export class CostClient {
  // Cost Explorer has one endpoint (us-east-1); the SDK resolves it whatever the function's region.
  constructor(private readonly ce: CostExplorerClient = new CostExplorerClient({})) {}

  /** UnblendedCost over the window, one MONTHLY bucket, grouped by the tag key; every page. */
  async costByTag(window: CostWindow, tagKey: string): Promise<CostPage[]> {
    const request: GetCostAndUsageCommandInput = {
      TimePeriod: { Start: window.Start, End: window.End },
      Granularity: 'MONTHLY',
      Metrics: ['UnblendedCost'],
      GroupBy: [{ Type: 'TAG', Key: tagKey }],
    };
    const pages: CostPage[] = [];
    let token: string | undefined;
    do {
      if (pages.length === MAX_PAGES) throw new Error(`ce:GetCostAndUsage returned more than ${MAX_PAGES} pages for ${window.Start}..${window.End}`);
      try {
        const out = await this.ce.send(new GetCostAndUsageCommand({ ...request, ...(token ? { NextPageToken: token } : {}) }));
        pages.push(out);
        token = out.NextPageToken;
      } catch (e: unknown) {
        throw this.mapError(e);
      }
    } while (token);
    return pages;
  }

  private mapError(e: unknown): Error {
    const doing = 'ce:GetCostAndUsage';
    // Cost Explorer reports its request rate limit as LimitExceededException, not as throttling.
    if (e instanceof Error && e.name === 'LimitExceededException') return new AwsThrottled(`${doing}: ${e.name}: ${e.message}`);
    return classifyAwsError(e, doing);
  }
}
