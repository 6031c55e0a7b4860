import type { CloudWatchLogsClient, FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { classifyAwsError, hasErrorName } from '../shared/errors';
import { LazyClient, type SdkOf } from '../shared/lazy-sdk';
import { logsSdk } from '../shared/sdk-modules';


export interface LogEvent {
  readonly timestamp: string;
  readonly message: string;
}

const logEvent = (e: FilteredLogEvent): LogEvent => ({ timestamp: new Date(e.timestamp ?? 0).toISOString(), message: (e.message ?? '').trim() });

export class LogEventsClient {
  private readonly logs: LazyClient<SdkOf<typeof logsSdk>, CloudWatchLogsClient>;

  constructor(client?: CloudWatchLogsClient) {
    this.logs = new LazyClient(logsSdk, (m) => new m.CloudWatchLogsClient({}), client);
  }

  /**
   * The first `limit` events matching the filter pattern since `since`, one page only: a bounded
   * read. A log group that does not exist has no events (the function never logged).
   */
  async filter(logGroupName: string, filterPattern: string, since: Date, limit: number): Promise<LogEvent[]> {
    try {
      const { m, client } = await this.logs.get();
      const out = await client.send(new m.FilterLogEventsCommand({ logGroupName, filterPattern, startTime: since.getTime(), limit }));
      return (out.events ?? []).map(logEvent);
    } catch (e: unknown) {
      if (hasErrorName(e, 'ResourceNotFoundException')) return [];
      throw classifyAwsError(e, `logs:FilterLogEvents on ${logGroupName}`);
    }
  }

  /**
   * The events matching the pattern between two times, up to `limit`, one page only: a bounded read,
   * and whether more were left unread. A log group that does not exist is an error here: the page
   * says the configured group is missing, rather than that nothing was denied.
   */
  async filterWindow(logGroupName: string, filterPattern: string, from: Date, to: Date, limit: number): Promise<{ events: LogEvent[]; truncated: boolean }> {
    try {
      const { m, client } = await this.logs.get();
      const out = await client.send(new m.FilterLogEventsCommand({ logGroupName, filterPattern, startTime: from.getTime(), endTime: to.getTime(), limit }));
      const events = (out.events ?? []).map(logEvent);
      return { events, truncated: out.nextToken !== undefined && out.nextToken !== '' };
    } catch (e: unknown) {
      throw classifyAwsError(e, `logs:FilterLogEvents on ${logGroupName}`);
    }
  }
}
