import type { DrillService } from './drill-service';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { drillService?: DrillService }).drillService?.close();
}
