import 'aws-sdk-client-mock-jest';
import { CostExplorerClient, GetCostAndUsageCommand, LimitExceededException } from '@aws-sdk/client-cost-explorer';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';

const ce = mockClient(CostExplorerClient);
const ssm = mockClient(SSMClient);
const TAG = 'alphaswarm.io/cost-bucket';
const PARAMETER = '/alphaswarm/prod/llm_model_preference';
const SONNET = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
const HAIKU = 'anthropic.claude-haiku-4-5-20251022-v1:0';
let handler: (event: unknown, context: typeof lambdaContext) => Promise<Record<string, unknown>>;

beforeAll(async () => {
  Object.assign(process.env, {
    AWS_REGION: 'sa-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', POWERTOOLS_LOG_LEVEL: 'SILENT',
    COST_BUCKET_TAG_KEY: TAG, COST_BUCKET_TAG_VALUE: 'bedrock-tokens', DRIVER_SHARE_PERCENT: '50',
    MODEL_PARAMETER: PARAMETER, CHEAPER_MODEL: HAIKU, REVERT_AFTER_SECONDS: '86400',
  });
  // The handler reads its environment at cold start, so it is imported after the env is set.
  handler = (await import('../../../runbooks/llm-budget-guardrail/handlers/inspect')).handler as unknown as typeof handler;
});

beforeEach(() => {
  ce.reset();
  ssm.reset();
});

const budgetIncident = (firedAt = '2026-11-18T14:07:22.418Z') => incident({
  runbook: 'llm-budget-guardrail', target: 'alphaswarm-prod-monthly', firedAt,
  summary: 'AWS Budgets actual alert: alphaswarm-prod-monthly at $1260.00 (threshold $1200.00 of $1500.00)',
  source: { name: 'alphaswarm-prod-monthly', arn: 'arn:aws:sns:sa-east-1:111122223333:runbook-autopilot-budget' },
  budget: { budgetName: 'alphaswarm-prod-monthly', alertType: 'ACTUAL', thresholdAmount: 1200, actualOrForecastAmount: 1260, budgetedAmount: 1500 },
});
const input = (firedAt?: string) => ({ incident: budgetIncident(firedAt), execution: { id: EXECUTION_ARN } });
const group = (value: string, amount: number) => ({ Keys: [`${TAG}$${value}`], Metrics: { UnblendedCost: { Amount: amount.toFixed(10), Unit: 'USD' } } });
const costs = (...groups: ReturnType<typeof group>[]) => ({
  GroupDefinitions: [{ Type: 'TAG' as const, Key: TAG }],
  ResultsByTime: [{ TimePeriod: { Start: '2026-11-01', End: '2026-11-19' }, Total: {}, Groups: groups, Estimated: true }],
});

test('Bedrock drives the spend: reports the evidence, the current model and the wait before restoring', async () => {
  ce.on(GetCostAndUsageCommand).resolves(costs(group('bedrock-tokens', 900), group('', 360)));
  ssm.on(GetParameterCommand).resolves({ Parameter: { Name: PARAMETER, Type: 'String', Value: SONNET, Version: 3 } });

  const result = await handler(input(), lambdaContext);

  expect(result).toEqual({
    bedrockUsd: 900, totalUsd: 1260, bedrockSharePercent: 71.4, bedrockIsDriver: true,
    verdict: 'Bedrock token spend is $900.00 of $1,260.00 (71%): it drives the alert',
    currentModel: SONNET, cheaperModel: HAIKU, alreadyCheaper: false, revertAfterSeconds: 86400, parameterName: PARAMETER,
  });
});

test('asks Cost Explorer for the month to date of the alert, through the alert day, grouped by the cost-bucket tag', async () => {
  ce.on(GetCostAndUsageCommand).resolves(costs(group('bedrock-tokens', 900)));
  ssm.on(GetParameterCommand).resolves({ Parameter: { Value: SONNET } });

  await handler(input(), lambdaContext);

  expect(ce.commandCalls(GetCostAndUsageCommand).map((c) => c.args[0].input)).toEqual([{
    TimePeriod: { Start: '2026-11-01', End: '2026-11-19' },
    Granularity: 'MONTHLY',
    Metrics: ['UnblendedCost'],
    GroupBy: [{ Type: 'TAG', Key: TAG }],
  }]);
  expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, { Name: PARAMETER });
});

test('an alert on the 1st of the month asks for that one day (Start before the exclusive End)', async () => {
  ce.on(GetCostAndUsageCommand).resolves(costs(group('bedrock-tokens', 40)));
  ssm.on(GetParameterCommand).resolves({ Parameter: { Value: SONNET } });

  await handler(input('2026-12-01T00:20:00.000Z'), lambdaContext);

  expect(ce).toHaveReceivedCommandWith(GetCostAndUsageCommand, { TimePeriod: { Start: '2026-12-01', End: '2026-12-02' } });
});

test('Bedrock is not the driver: bedrockIsDriver false with a verdict the notification can quote', async () => {
  ce.on(GetCostAndUsageCommand).resolves(costs(group('bedrock-tokens', 150), group('', 1110)));
  ssm.on(GetParameterCommand).resolves({ Parameter: { Value: SONNET } });

  const result = await handler(input(), lambdaContext);

  expect(result).toMatchObject({
    bedrockUsd: 150, totalUsd: 1260, bedrockIsDriver: false,
    verdict: 'Bedrock token spend is $150.00 of $1,260.00 (12%), under the 50% that makes it the driver: it does not drive the alert',
  });
});

test('follows NextPageToken until the last page and sums every page', async () => {
  ce.on(GetCostAndUsageCommand)
    .resolvesOnce({ ...costs(group('bedrock-tokens', 500)), NextPageToken: 'page-2' })
    .resolvesOnce({ ...costs(group('', 200)), NextPageToken: 'page-3' })
    .resolvesOnce(costs(group('bedrock-tokens', 400), group('compute', 160)));
  ssm.on(GetParameterCommand).resolves({ Parameter: { Value: SONNET } });

  const result = await handler(input(), lambdaContext);

  const tokens = ce.commandCalls(GetCostAndUsageCommand).map((c) => c.args[0].input.NextPageToken);
  expect(tokens).toEqual([undefined, 'page-2', 'page-3']);
  expect(result).toMatchObject({ bedrockUsd: 900, totalUsd: 1260, bedrockIsDriver: true });
});

test('already on the cheaper model: alreadyCheaper true', async () => {
  ce.on(GetCostAndUsageCommand).resolves(costs(group('bedrock-tokens', 900), group('', 360)));
  ssm.on(GetParameterCommand).resolves({ Parameter: { Value: HAIKU } });

  const result = await handler(input(), lambdaContext);

  expect(result).toMatchObject({ bedrockIsDriver: true, currentModel: HAIKU, alreadyCheaper: true });
});

test('a missing model preference parameter is TargetNotFound', async () => {
  ce.on(GetCostAndUsageCommand).resolves(costs(group('bedrock-tokens', 900)));
  ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: "The parameter couldn't be found.", $metadata: { httpStatusCode: 400 } }));

  await expect(handler(input(), lambdaContext)).rejects.toMatchObject({ name: 'TargetNotFound', message: expect.stringContaining(PARAMETER) });
});

test('Cost Explorer throttling is AwsThrottled, whichever way it says so', async () => {
  ssm.on(GetParameterCommand).resolves({ Parameter: { Value: SONNET } });
  ce.on(GetCostAndUsageCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
  await expect(handler(input(), lambdaContext)).rejects.toMatchObject({ name: 'AwsThrottled' });

  ce.reset();
  ce.on(GetCostAndUsageCommand).rejects(new LimitExceededException({ message: 'You made too many calls in a short period of time.', $metadata: { httpStatusCode: 400 } }));
  await expect(handler(input(), lambdaContext)).rejects.toMatchObject({ name: 'AwsThrottled' });
});

test('an incident whose firedAt is not a time is InvalidInput, before any call', async () => {
  await expect(handler(input('yesterday'), lambdaContext)).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('incident.firedAt') });
  expect(ce.calls()).toHaveLength(0);
});
