import { AwsError, validationError } from './aws-error';
import { Fields, type Input } from './input';
import { compileFilterPattern } from './log-filter-pattern';
import type { Output, ServiceContext, ServiceModel } from './model';

/**
 * CloudWatch Logs (JSON 1.1): FilterLogEvents on a log group, with the filter patterns a runbook
 * uses (log-filter-pattern.ts): a quoted phrase ("Task timed out"), terms that must all appear, or a
 * JSON pattern over CloudTrail's records (`{ ($.errorCode = "*UnauthorizedOperation") || ... }`).
 */

const groupNotFound = () => new AwsError('ResourceNotFoundException', 400, 'The specified log group does not exist.');

function filterLogEvents(input: Input, { state }: ServiceContext): Output {
  const fields = new Fields(input);
  const name = fields.optString('logGroupName') ?? fields.optString('logGroupIdentifier')?.replace(/^arn:aws:logs:[^:]+:\d{12}:log-group:/, '').replace(/:\*$/, '');
  if (name === undefined) throw validationError('logGroupName', 'Member must not be null');
  const events = state.logs?.groups[name];
  if (events === undefined) throw groupNotFound();
  const limit = fields.optInt('limit') ?? 10_000;
  if (limit < 1 || limit > 10_000) throw validationError('limit', 'Member must have value between 1 and 10000', limit);
  const start = fields.optInt('startTime');
  const end = fields.optInt('endTime');
  const matches = compileFilterPattern(fields.optString('filterPattern'));
  const found = events
    .map((e, i) => ({ ...e, at: Date.parse(e.timestamp), i }))
    .filter((e) => (start === undefined || e.at >= start) && (end === undefined || e.at <= end) && matches(e.message))
    .sort((a, b) => a.at - b.at)
    .slice(0, limit);
  return {
    events: found.map((e) => ({
      logStreamName: e.logStreamName, timestamp: e.at, message: e.message, ingestionTime: e.at + 250,
      eventId: `${String(e.at).padStart(20, '0')}${String(e.i).padStart(36, '0')}`,
    })),
    searchedLogStreams: [],
  };
}

export const logsModel: ServiceModel = {
  protocol: 'awsJson1_1',
  target: 'Logs_20140328',
  operations: {
    FilterLogEvents: { mutating: false, run: filterLogEvents },
  },
};
