import * as fs from 'node:fs';
import type { DrillService } from './drill-service';

export default async function globalTeardown(): Promise<void> {
  const run = globalThis as { drillService?: DrillService; runDirs?: string[] };
  await run.drillService?.close();
  for (const dir of run.runDirs ?? []) fs.rmSync(dir, { recursive: true, force: true });
}
