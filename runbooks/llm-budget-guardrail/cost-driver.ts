/**
 * Seed 000 "Cost guardrails": act on a budget alert only when Bedrock token spend drives it.
 * Reads Cost Explorer's month-to-date cost grouped by the cost-bucket tag and says whether the
 * Bedrock bucket holds at least the configured share of it.
 */

/** The part of a GetCostAndUsage response this reads (grouped by one TAG key). */
export interface CostPage {
  readonly ResultsByTime?: readonly {
    readonly Groups?: readonly {
      /** One entry per GroupBy: "<tag key>$<tag value>", "<tag key>$" for untagged cost. */
      readonly Keys?: readonly string[];
      readonly Metrics?: Readonly<Record<string, { readonly Amount?: string; readonly Unit?: string }>>;
    }[];
  }[];
}

export interface CostDriverOptions {
  readonly tagKey: string;
  readonly tagValue: string;
  /** Bedrock drives the alert when its share of the total is at least this (0-100]. */
  readonly driverSharePercent: number;
  /** @default 'UnblendedCost' */
  readonly metric?: string;
}

export interface CostDriver {
  readonly bedrockUsd: number;
  readonly totalUsd: number;
  /** Floored to one decimal, so it never reads as reaching a threshold the raw share misses. */
  readonly bedrockSharePercent: number;
  readonly bedrockIsDriver: boolean;
  /** One sentence for the notification. */
  readonly verdict: string;
}

/** A Cost Explorer TimePeriod: Start inclusive, End exclusive, both YYYY-MM-DD (UTC). */
export interface CostWindow {
  readonly Start: string;
  readonly End: string;
}

/**
 * The month to date of an alert, through the alert's own day. End is exclusive, so it is the
 * next day: that keeps Start < End on the 1st of the month, and the last day of a month ends on
 * the 1st of the next, which adds no day of it.
 */
export function monthToDateWindow(at: Date): CostWindow {
  const day = (y: number, m: number, d: number) => new Date(Date.UTC(y, m, d)).toISOString().slice(0, 10);
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth();
  return { Start: day(y, m, 1), End: day(y, m, at.getUTCDate() + 1) };
}

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

/** Sums every page and every time bucket: the total is all groups, untagged included. */
export function costDriver(pages: readonly CostPage[], options: CostDriverOptions): CostDriver {
  const metric = options.metric ?? 'UnblendedCost';
  const bedrockKey = `${options.tagKey}$${options.tagValue}`;
  let bedrock = 0;
  let total = 0;
  for (const page of pages) {
    for (const bucket of page.ResultsByTime ?? []) {
      for (const group of bucket.Groups ?? []) {
        const raw = group.Metrics?.[metric]?.Amount;
        if (raw === undefined) continue;
        const amount = Number(raw);
        if (!Number.isFinite(amount)) throw new Error(`Cost Explorer returned a non-numeric ${metric} amount: "${raw}"`);
        total += amount;
        if (group.Keys?.[0] === bedrockKey) bedrock += amount;
      }
    }
  }

  // Whole cents keep the share and the threshold test free of float noise (0.29 * 100 = 28.999...).
  const bedrockCents = Math.round(bedrock * 100);
  const totalCents = Math.round(total * 100);
  const hasSpend = totalCents > 0;
  const tenths = hasSpend ? Math.floor((bedrockCents * 1000) / totalCents) : 0;
  const bedrockIsDriver = hasSpend && bedrockCents > 0 && bedrockCents * 100 >= options.driverSharePercent * totalCents;
  const bedrockUsd = bedrockCents / 100;
  const totalUsd = totalCents / 100;
  return {
    bedrockUsd,
    totalUsd,
    bedrockSharePercent: tenths / 10,
    bedrockIsDriver,
    verdict: verdict(bedrockUsd, totalUsd, tenths, bedrockIsDriver, options.driverSharePercent, hasSpend),
  };
}

function verdict(bedrockUsd: number, totalUsd: number, tenths: number, isDriver: boolean, threshold: number, hasSpend: boolean): string {
  if (!hasSpend) return `No cost is recorded for the month to date (total ${usd.format(totalUsd)}): Bedrock token spend does not drive the alert`;
  // Whole percent reads best, unless rounding would put it on the other side of the threshold.
  const whole = Math.round(tenths / 10);
  const share = (whole >= threshold) === isDriver ? `${whole}%` : `${(tenths / 10).toFixed(1)}%`;
  const spend = `Bedrock token spend is ${usd.format(bedrockUsd)} of ${usd.format(totalUsd)} (${share})`;
  return isDriver
    ? `${spend}: it drives the alert`
    : `${spend}, under the ${threshold}% that makes it the driver: it does not drive the alert`;
}
