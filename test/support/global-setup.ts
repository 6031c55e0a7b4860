import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DRILL_STATE_DIR_VARIABLE } from '../../drill/kept-state';
import { DRILL_SERVICE_VARIABLE, startDrillService, type DrillService } from './drill-service';
import { TEMPLATE_DIR_VARIABLE } from './template-dir';

/**
 * Jest's global setup: the drill processes for the whole run (they start at the first drill), a
 * directory of the run's own where its drills keep their state, never the checkout's `.drill/`,
 * and one where its files share synthesized templates. Each run starts with both empty.
 */
export default async function globalSetup(): Promise<void> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runbook-autopilot-drill-state-'));
  process.env[DRILL_STATE_DIR_VARIABLE] = stateDir;
  const templateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runbook-autopilot-templates-'));
  process.env[TEMPLATE_DIR_VARIABLE] = templateDir;
  const service = await startDrillService();
  process.env[DRILL_SERVICE_VARIABLE] = service.url;
  Object.assign(globalThis as { drillService?: DrillService; runDirs?: string[] }, { drillService: service, runDirs: [stateDir, templateDir] });
}
