import * as fs from 'node:fs';
import type { DrillService } from './drill-service';

export default async function globalTeardown(): Promise<void> {
  const run = globalThis as { drillService?: DrillService; drillStateDir?: string };
  await run.drillService?.close();
  if (run.drillStateDir) fs.rmSync(run.drillStateDir, { recursive: true, force: true });
}
