/**
 * Every handler the stack deploys, once per entry file, with the environment its function gets
 * (from the same catalog the stack and the drill use): what the bundle and cold-start figures run.
 */
import { approvalPageHandler, buildCatalog, executionFailureHandler, literalArns, sharedHandlers, stateMachineNameOf, triggerHandlers, reportEnvironment, undoMachine, type HandlerDef } from '../lib/catalog';
import { loadConfig } from '../lib/config/load';
import { TOPIC_ARNS } from '../drill/sandbox';
import { METRICS_ENVIRONMENT_VARIABLE } from '../lambdas/domain/metrics';
import { RUNTIME_ENVIRONMENT } from '../lib/constructs/handler-function';

/** Stands in for the report bucket's generated name. */
const REPORT_BUCKET = 'runbook-autopilot-bench-incident-reports';

export interface BenchHandler {
  /** Entry file, from the repository root. */
  readonly entry: string;
  readonly id: string;
  readonly environment: Readonly<Record<string, string>>;
}

export function benchHandlers(): BenchHandler[] {
  const config = loadConfig('drill');
  const arns = literalArns('aws', config.region, '111122223333');
  const runbooks = buildCatalog(config, arns);
  const shared = sharedHandlers(config, arns);
  const machines = runbooks.map((r) => ({ runbook: r.name, arn: arns.stateMachine(stateMachineNameOf(config.environment, r.name)), name: stateMachineNameOf(config.environment, r.name) }));
  const triggers = triggerHandlers(config, arns, machines);
  const defs: HandlerDef[] = [
    shared.admit, shared.notify, shared.report, ...runbooks.flatMap((r) => r.handlers), ...undoMachine(config, arns).handlers,
    approvalPageHandler(config, arns), ...[triggers.budgetAdapter, triggers.alarmRouter].filter((d): d is HandlerDef => d !== undefined),
    executionFailureHandler(config, arns, machines, reportEnvironment(config)),
  ];
  const byEntry = new Map<string, BenchHandler>();
  for (const def of defs) {
    if (byEntry.has(def.entry)) continue;
    byEntry.set(def.entry, {
      entry: def.entry, id: def.id,
      environment: {
        ...RUNTIME_ENVIRONMENT,
        ...def.environment,
        ...(def.usesLedger ? { LEDGER_TABLE: 'runbook-autopilot-bench-ledger' } : {}),
        ...(def.usesApprovals ? { APPROVAL_TOPIC_ARN: TOPIC_ARNS.approvals, APPROVAL_SECRET_ID: 'bench-signing-key', APPROVAL_BASE_URL: 'https://approvals.example.com' } : {}),
        ...(def.id === 'Notify' ? { CRITICAL_TOPIC_ARN: TOPIC_ARNS.critical, INFO_TOPIC_ARN: TOPIC_ARNS.info } : {}),
        ...(def.id === 'ExecutionFailed' ? { CRITICAL_TOPIC_ARN: TOPIC_ARNS.critical } : {}),
        // The functions that write incident reports (the stack binds the bucket to both).
        ...(def.id === 'Report' || def.id === 'ExecutionFailed' ? { REPORT_BUCKET } : {}),
        [METRICS_ENVIRONMENT_VARIABLE]: config.environment,
        POWERTOOLS_SERVICE_NAME: `runbook-autopilot-${def.id}`,
      },
    });
  }
  return [...byEntry.values()].sort((a, b) => a.entry.localeCompare(b.entry));
}
