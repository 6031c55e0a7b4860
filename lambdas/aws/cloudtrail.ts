import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { classifyAwsError } from '../shared/errors';
import { LazyClient, type SdkOf } from '../shared/lazy-sdk';
import { cloudTrailSdk } from '../shared/sdk-modules';


/** One management event as LookupEvents returns it: its fields, and the full record as CloudTrail wrote it (JSON text). */
export interface TrailEvent {
  readonly eventName: string;
  readonly eventSource: string;
  readonly eventTime: string;
  /** The full CloudTrail record (JSON text); the caller picks what it may show. */
  readonly record: string;
}

export class TrailClient {
  private readonly cloudtrail: LazyClient<SdkOf<typeof cloudTrailSdk>, CloudTrailClient>;

  constructor(client?: CloudTrailClient) {
    this.cloudtrail = new LazyClient(cloudTrailSdk, (m) => new m.CloudTrailClient({}), client);
  }

  /**
   * The newest management events made with an access key, one page (at most `limit`, which
   * LookupEvents caps at 50): a bounded read. LookupEvents returns newest first.
   */
  async byAccessKey(accessKeyId: string, since: Date, until: Date, limit: number): Promise<TrailEvent[]> {
    try {
      const { m, client } = await this.cloudtrail.get();
      const out = await client.send(new m.LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: accessKeyId }],
        StartTime: since, EndTime: until, MaxResults: limit,
      }));
      return (out.Events ?? []).map((e) => ({
        eventName: e.EventName ?? '', eventSource: e.EventSource ?? '',
        eventTime: (e.EventTime ?? new Date(0)).toISOString(), record: e.CloudTrailEvent ?? '{}',
      }));
    } catch (e: unknown) {
      throw classifyAwsError(e, `cloudtrail:LookupEvents for access key ${accessKeyId}`);
    }
  }
}
