/**
 * The one bounded FilterLogEvents read the unauthorized-calls evidence makes (LogEventsClient.filterWindow):
 * what it sends, whether it says more were left unread, and a log group that is gone told as an
 * error (the page says the configured group is missing), where `filter` reads it as no events.
 */
import { CloudWatchLogsClient, FilterLogEventsCommand, ResourceNotFoundException, ThrottlingException } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { LogEventsClient } from '../../../lambdas/aws/logs';
import { AwsThrottled } from '../../../lambdas/shared/errors';

const logs = mockClient(CloudWatchLogsClient);
const client = new LogEventsClient(new CloudWatchLogsClient({ region: 'sa-east-1' }));
const FROM = new Date('2026-12-06T04:10:00Z');
const TO = new Date('2026-12-06T04:15:09.602Z');
const PATTERN = '{ $.errorCode = "AccessDenied*" }';

beforeEach(() => logs.reset());

const sent = () => logs.commandCalls(FilterLogEventsCommand).map((c) => c.args[0].input);

test('sends the pattern, the window in epoch milliseconds and the limit; answers the events trimmed, and whether a next page was left', async () => {
  logs.on(FilterLogEventsCommand).resolves({ events: [{ timestamp: Date.parse('2026-12-06T04:11:00Z'), message: '{"a":1}\n' }], nextToken: 'more' });
  await expect(client.filterWindow('trail', PATTERN, FROM, TO, 50)).resolves.toEqual({
    events: [{ timestamp: '2026-12-06T04:11:00.000Z', message: '{"a":1}' }], truncated: true,
  });
  expect(sent()).toEqual([{ logGroupName: 'trail', filterPattern: PATTERN, startTime: FROM.getTime(), endTime: TO.getTime(), limit: 50 }]);

  logs.on(FilterLogEventsCommand).resolves({ events: [] });
  await expect(client.filterWindow('trail', PATTERN, FROM, TO, 50)).resolves.toEqual({ events: [], truncated: false });
});

test('a log group that is gone is an error for the page to tell, where filter reads it as none; throttling is classified for the retries', async () => {
  logs.on(FilterLogEventsCommand).rejects(new ResourceNotFoundException({ $metadata: { httpStatusCode: 400 }, message: 'The specified log group does not exist.' }));
  await expect(client.filterWindow('trail', PATTERN, FROM, TO, 50)).rejects.toThrow(ResourceNotFoundException);
  await expect(client.filter('trail', PATTERN, FROM, 50)).resolves.toEqual([]);
  expect(sent()).toEqual([
    { logGroupName: 'trail', filterPattern: PATTERN, startTime: FROM.getTime(), endTime: TO.getTime(), limit: 50 },
    { logGroupName: 'trail', filterPattern: PATTERN, startTime: FROM.getTime(), limit: 50 },
  ]);

  logs.on(FilterLogEventsCommand).rejects(new ThrottlingException({ $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' }));
  await expect(client.filterWindow('trail', PATTERN, FROM, TO, 50)).rejects.toThrow(AwsThrottled);
});
