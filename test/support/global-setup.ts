import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DRILL_STATE_DIR_VARIABLE } from '../../drill/kept-state';
import { DRILL_SERVICE_VARIABLE, startDrillService, type DrillService } from './drill-service';

/**
 * Jest's global setup: the drill processes for the whole run (they start at the first drill), and
 * a directory of the run's own where its drills keep their state, never the checkout's `.drill/`.
 */
export default async function globalSetup(): Promise<void> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runbook-autopilot-drill-state-'));
  process.env[DRILL_STATE_DIR_VARIABLE] = stateDir;
  const service = await startDrillService();
  process.env[DRILL_SERVICE_VARIABLE] = service.url;
  Object.assign(globalThis as { drillService?: DrillService; drillStateDir?: string }, { drillService: service, drillStateDir: stateDir });
}
