import { CostExplorerClient, GetCostAndUsageCommand, type GetCostAndUsageCommandInput } from '@aws-sdk/client-cost-explorer';
import { COST_BUCKET_TAG } from '../../drill/sandbox';
import { clientConfig, rejectionOf, useSandbox } from './support';

const sandbox = useSandbox();
const ce = () => new CostExplorerClient(clientConfig(sandbox()));
const monthToDate: GetCostAndUsageCommandInput = {
  TimePeriod: { Start: '2026-11-01', End: '2026-11-19' },
  Granularity: 'MONTHLY',
  Metrics: ['UnblendedCost'],
};
const bedrock = { Tags: { Key: COST_BUCKET_TAG.key, Values: [COST_BUCKET_TAG.value] } };

test('the month-to-date total, as an amount string in USD', async () => {
  const out = await ce().send(new GetCostAndUsageCommand(monthToDate));

  expect(out.ResultsByTime).toEqual([
    {
      TimePeriod: { Start: '2026-11-01', End: '2026-11-19' },
      Total: { UnblendedCost: { Amount: '1260.0000000000', Unit: 'USD' } },
      Groups: [],
      Estimated: true,
    },
  ]);
});

test('grouped by the cost-bucket tag: bedrock-tokens and the untagged rest', async () => {
  const out = await ce().send(new GetCostAndUsageCommand({ ...monthToDate, GroupBy: [{ Type: 'TAG', Key: COST_BUCKET_TAG.key }] }));

  expect(out.GroupDefinitions).toEqual([{ Type: 'TAG', Key: COST_BUCKET_TAG.key }]);
  expect(out.ResultsByTime?.[0]?.Total).toEqual({});
  expect(out.ResultsByTime?.[0]?.Groups).toEqual([
    { Keys: ['alphaswarm.io/cost-bucket$bedrock-tokens'], Metrics: { UnblendedCost: { Amount: '900.0000000000', Unit: 'USD' } } },
    { Keys: ['alphaswarm.io/cost-bucket$'], Metrics: { UnblendedCost: { Amount: '360.0000000000', Unit: 'USD' } } },
  ]);
});

test.each([
  ['a tag value', bedrock, '900.0000000000'],
  ['its negation', { Not: bedrock }, '360.0000000000'],
  ['an absent tag', { Tags: { Key: COST_BUCKET_TAG.key, MatchOptions: ['ABSENT' as const] } }, '360.0000000000'],
  ['Or of both', { Or: [bedrock, { Not: bedrock }] }, '1260.0000000000'],
])('a filter on %s', async (_name, Filter, amount) => {
  const out = await ce().send(new GetCostAndUsageCommand({ ...monthToDate, Filter }));

  expect(out.ResultsByTime?.[0]?.Total?.UnblendedCost?.Amount).toBe(amount);
});

test('an earlier month has no modelled cost', async () => {
  const out = await ce().send(new GetCostAndUsageCommand({ ...monthToDate, TimePeriod: { Start: '2026-10-01', End: '2026-11-19' } }));

  expect(out.ResultsByTime?.map((r) => [r.TimePeriod?.Start, r.TimePeriod?.End, r.Total?.UnblendedCost?.Amount])).toEqual([
    ['2026-10-01', '2026-11-01', '0.0000000000'],
    ['2026-11-01', '2026-11-19', '1260.0000000000'],
  ]);
});

test('a period whose start is not before its end is a ValidationException', async () => {
  const error = await rejectionOf(ce().send(new GetCostAndUsageCommand({ ...monthToDate, TimePeriod: { Start: '2026-11-19', End: '2026-11-01' } })));

  expect(error.name).toBe('ValidationException');
  expect(error.message).toBe('Start date (and hour) should be before end date (and hour)');
});

test('a request the sandbox does not model is refused, not answered wrongly', async () => {
  const error = await rejectionOf(ce().send(new GetCostAndUsageCommand({ ...monthToDate, GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }] })));

  expect(error.name).toBe('ValidationException');
  expect(error.message).toContain('does not model');
});
