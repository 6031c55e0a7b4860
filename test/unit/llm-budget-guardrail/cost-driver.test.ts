import { costDriver, monthToDateWindow, type CostPage } from '../../../runbooks/llm-budget-guardrail/cost-driver';

const TAG = 'alphaswarm.io/cost-bucket';
const options = { tagKey: TAG, tagValue: 'bedrock-tokens', driverSharePercent: 50 };

const group = (value: string, amount: string) => ({ Keys: [`${TAG}$${value}`], Metrics: { UnblendedCost: { Amount: amount, Unit: 'USD' } } });
const page = (...groups: ReturnType<typeof group>[]): CostPage => ({ ResultsByTime: [{ Groups: groups }] });

test('Bedrock at 71% of the month-to-date spend drives the alert', () => {
  const result = costDriver([page(group('bedrock-tokens', '900.0000000000'), group('', '360.0000000000'))], options);

  expect(result).toEqual({
    bedrockUsd: 900,
    totalUsd: 1260,
    bedrockSharePercent: 71.4,
    bedrockIsDriver: true,
    verdict: 'Bedrock token spend is $900.00 of $1,260.00 (71%): it drives the alert',
  });
});

test('Bedrock at 12% does not drive the alert, and the verdict says against which share', () => {
  const result = costDriver([page(group('bedrock-tokens', '150'), group('compute', '700'), group('', '410'))], options);

  expect(result).toEqual({
    bedrockUsd: 150,
    totalUsd: 1260,
    bedrockSharePercent: 11.9,
    bedrockIsDriver: false,
    verdict: 'Bedrock token spend is $150.00 of $1,260.00 (12%), under the 50% that makes it the driver: it does not drive the alert',
  });
});

test('every page and every time bucket counts; untagged cost is part of the total', () => {
  const pages: CostPage[] = [
    { ResultsByTime: [{ Groups: [group('bedrock-tokens', '400')] }, { Groups: [group('', '100')] }] },
    { ResultsByTime: [{ Groups: [group('bedrock-tokens', '200.5'), group('other', '99.5')] }, { Groups: [] }, {}] },
  ];

  expect(costDriver(pages, options)).toMatchObject({ bedrockUsd: 600.5, totalUsd: 800, bedrockIsDriver: true });
});

test('a share exactly at the threshold drives it; a cent under does not, and does not read as 50%', () => {
  expect(costDriver([page(group('bedrock-tokens', '500'), group('', '500'))], options)).toMatchObject({ bedrockSharePercent: 50, bedrockIsDriver: true });

  const under = costDriver([page(group('bedrock-tokens', '499.99'), group('', '500.01'))], options);
  expect(under).toMatchObject({ bedrockSharePercent: 49.9, bedrockIsDriver: false });
  expect(under.verdict).toContain('(49.9%)');
});

test('amounts are summed without float noise', () => {
  const result = costDriver([page(group('bedrock-tokens', '0.1'), group('bedrock-tokens', '0.2'), group('', '0.7'))], { ...options, driverSharePercent: 30 });

  expect(result).toMatchObject({ bedrockUsd: 0.3, totalUsd: 1, bedrockSharePercent: 30, bedrockIsDriver: true });
});

test('no spend at all is never a Bedrock-driven alert', () => {
  const result = costDriver([{ ResultsByTime: [{ Groups: [] }] }], options);

  expect(result).toMatchObject({ bedrockUsd: 0, totalUsd: 0, bedrockSharePercent: 0, bedrockIsDriver: false });
  expect(result.verdict).toMatch(/^No cost is recorded for the month to date/);
});

test('a tag value that only starts like the Bedrock one is not Bedrock', () => {
  const result = costDriver([page(group('bedrock-tokens-staging', '900'), group('', '100'))], options);

  expect(result).toMatchObject({ bedrockUsd: 0, bedrockIsDriver: false });
});

test('a non-numeric amount is an error, not a zero', () => {
  expect(() => costDriver([page(group('bedrock-tokens', 'n/a'))], options)).toThrow('non-numeric UnblendedCost amount: "n/a"');
});

describe('monthToDateWindow (End is exclusive)', () => {
  test.each([
    ['mid-month', '2026-11-18T14:07:22.418Z', '2026-11-01', '2026-11-19'],
    ['the 1st: Start stays before End', '2026-12-01T00:05:00Z', '2026-12-01', '2026-12-02'],
    ['the last day of a month ends on the 1st of the next', '2026-11-30T23:59:59Z', '2026-11-01', '2026-12-01'],
    ['the last day of the year', '2026-12-31T10:00:00Z', '2026-12-01', '2027-01-01'],
    ['a UTC offset is read as UTC', '2026-11-30T22:00:00-03:00', '2026-12-01', '2026-12-02'],
  ])('%s', (_, at, start, end) => {
    expect(monthToDateWindow(new Date(at))).toEqual({ Start: start, End: end });
  });
});
