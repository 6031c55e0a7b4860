import { CloudWatchLogsClient, FilterLogEventsCommand, ResourceNotFoundException } from '@aws-sdk/client-cloudwatch-logs';
import { classifyAwsError } from '../shared/errors';

export interface LogEvent {
  readonly timestamp: string;
  readonly message: string;
}

export class LogEventsClient {
  constructor(private readonly logs: CloudWatchLogsClient = new CloudWatchLogsClient({})) {}

  /**
   * The first `limit` events matching the filter pattern since `since`, one page only: a bounded
   * read. A log group that does not exist has no events (the function never logged).
   */
  async filter(logGroupName: string, filterPattern: string, since: Date, limit: number): Promise<LogEvent[]> {
    try {
      const out = await this.logs.send(new FilterLogEventsCommand({ logGroupName, filterPattern, startTime: since.getTime(), limit }));
      return (out.events ?? []).map((e) => ({ timestamp: new Date(e.timestamp ?? 0).toISOString(), message: (e.message ?? '').trim() }));
    } catch (e: unknown) {
      if (e instanceof ResourceNotFoundException) return [];
      throw classifyAwsError(e, `logs:FilterLogEvents on ${logGroupName}`);
    }
  }
}
