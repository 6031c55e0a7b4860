import { AwsError } from './aws-error';
import { Fields, type Input } from './input';
import type { Output, ServiceContext, ServiceModel } from './model';
import type { CostState } from './state';

/**
 * Cost Explorer (JSON 1.1): GetCostAndUsage over the modelled month-to-date cost, filtered and
 * grouped by one tag key. Tag values partition the total; what no value claims is untagged ("").
 */

const COST_METRICS = ['UnblendedCost', 'BlendedCost', 'AmortizedCost', 'NetUnblendedCost', 'NetAmortizedCost'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const validation = (message: string) => new AwsError('ValidationException', 400, message);
/** Requests the sandbox cannot answer faithfully are refused rather than answered wrongly. */
const unmodelled = (what: string) => validation(`The drill sandbox does not model ${what}.`);

type Predicate = (tagValue: string) => boolean;

interface Slice {
  value: string;
  amount: number;
}

function slices(costs: CostState, key: string): Slice[] {
  const byValue = costs.byTag[key] ?? {};
  const tagged = Object.entries(byValue).map(([value, amount]) => ({ value, amount }));
  const untagged = costs.total - tagged.reduce((sum, s) => sum + s.amount, 0);
  return [...tagged, { value: '', amount: Math.max(untagged, 0) }];
}

/** Compiles a filter expression into a predicate on the one tag key it names. */
function compileFilter(expr: Fields, keys: Set<string>): Predicate {
  const tags = expr.optObject('Tags');
  const not = expr.optObject('Not');
  const and = expr.objects('And');
  const or = expr.objects('Or');
  if (expr.optObject('Dimensions') !== undefined || expr.optObject('CostCategories') !== undefined) {
    throw unmodelled('Dimensions or CostCategories filters (only Tags, And, Or, Not)');
  }
  if (tags !== undefined) {
    keys.add(tags.string('Key'));
    const values = tags.optStrings('Values') ?? [];
    const options = tags.optStrings('MatchOptions') ?? ['EQUALS'];
    return (v) =>
      options.some((option) => {
        switch (option) {
          case 'ABSENT':
            return v === '';
          case 'STARTS_WITH':
            return values.some((x) => v.startsWith(x));
          case 'ENDS_WITH':
            return values.some((x) => v.endsWith(x));
          case 'CONTAINS':
            return values.some((x) => v.includes(x));
          default:
            return values.includes(v);
        }
      });
  }
  if (not !== undefined) {
    const inner = compileFilter(not, keys);
    return (v) => !inner(v);
  }
  if (and.length > 0) {
    const inner = and.map((e) => compileFilter(e, keys));
    return (v) => inner.every((p) => p(v));
  }
  if (or.length > 0) {
    const inner = or.map((e) => compileFilter(e, keys));
    return (v) => inner.some((p) => p(v));
  }
  throw validation('Expression must have at least one of the following: And, Or, Not, Dimensions, Tags, CostCategories.');
}

function monthsBetween(start: string, end: string): { start: string; end: string; month: string }[] {
  const out: { start: string; end: string; month: string }[] = [];
  let cursor = start;
  while (cursor < end) {
    const d = new Date(`${cursor}T00:00:00Z`);
    const next = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
    const bucketEnd = next < end ? next : end;
    out.push({ start: cursor, end: bucketEnd, month: cursor.slice(0, 7) });
    cursor = bucketEnd;
  }
  return out;
}

const money = (amount: number, unit: string) => ({ Amount: amount.toFixed(10), Unit: unit });

function getCostAndUsage(input: Input, { state }: ServiceContext): Output {
  const fields = new Fields(input);
  const period = fields.object('TimePeriod');
  const start = period.string('Start');
  const end = period.string('End');
  if (!DATE.test(start) || !DATE.test(end)) throw validation('Start and End must be dates in the format YYYY-MM-DD.');
  if (start >= end) throw validation('Start date (and hour) should be before end date (and hour)');
  const granularity = fields.string('Granularity');
  if (granularity !== 'MONTHLY') throw unmodelled(`${granularity} granularity (only MONTHLY)`);
  const metrics = fields.optStrings('Metrics') ?? [];
  if (metrics.length === 0) throw validation('Metrics cannot be empty.');
  const unknown = metrics.find((m) => !COST_METRICS.includes(m));
  if (unknown !== undefined) throw unmodelled(`the ${unknown} metric (only cost metrics)`);

  const keys = new Set<string>();
  const filter = fields.optObject('Filter');
  const matches = filter === undefined ? () => true : compileFilter(filter, keys);
  const groupBy = fields.objects('GroupBy');
  if (groupBy.length > 2) throw validation('GroupBy can have at most 2 groups.');
  const groupKeys = groupBy.map((g) => {
    const type = g.string('Type');
    if (type !== 'TAG') throw unmodelled(`grouping by ${type} (only TAG)`);
    return g.string('Key');
  });
  groupKeys.forEach((k) => keys.add(k));
  if (keys.size > 1 || groupKeys.length > 1) throw unmodelled('filters or groups over more than one tag key');
  const key = [...keys][0] ?? '';

  const { costs } = state;
  const costMonth = costs.month ?? monthsBetween(start, end).at(-1)?.month;
  const selected = slices(costs, key).filter((s) => matches(s.value));
  const resultsByTime = monthsBetween(start, end).map((bucket) => {
    const inMonth = bucket.month === costMonth ? selected.filter((s) => s.amount > 0) : [];
    const base = { TimePeriod: { Start: bucket.start, End: bucket.end }, Estimated: bucket.month === costMonth };
    if (groupKeys.length === 0) {
      const total = inMonth.reduce((sum, s) => sum + s.amount, 0);
      return { ...base, Total: Object.fromEntries(metrics.map((m) => [m, money(total, costs.currency)])), Groups: [] };
    }
    const groups = inMonth.map((s) => ({
      Keys: [`${key}$${s.value}`],
      Metrics: Object.fromEntries(metrics.map((m) => [m, money(s.amount, costs.currency)])),
    }));
    return { ...base, Total: {}, Groups: groups };
  });
  return {
    ...(groupKeys.length === 0 ? {} : { GroupDefinitions: groupKeys.map((k) => ({ Type: 'TAG', Key: k })) }),
    ResultsByTime: resultsByTime,
    DimensionValueAttributes: [],
  };
}

export const costExplorerModel: ServiceModel = {
  protocol: 'awsJson1_1',
  target: 'AWSInsightsIndexService',
  operations: {
    GetCostAndUsage: { mutating: false, run: getCostAndUsage },
  },
};
