import { DRILL_SERVICE_VARIABLE, startDrillService, type DrillService } from './drill-service';

/** Jest's global setup: the drill processes for the whole run (they start at the first drill). */
export default async function globalSetup(): Promise<void> {
  const service = await startDrillService();
  process.env[DRILL_SERVICE_VARIABLE] = service.url;
  (globalThis as { drillService?: DrillService }).drillService = service;
}
