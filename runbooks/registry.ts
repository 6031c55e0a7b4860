/**
 * Every runbook this app can deploy, in the order the drill runs them: one line each. A runbook
 * listed here is configured, deployed, routed, alarmed, undone, drilled and checked by the
 * contract suite (npx jest test/contract); nothing else names it.
 */
import databaseRecovery from './database-recovery/runbook';
import dynamodbThrottling from './dynamodb-throttling/runbook';
import ecsServiceRecovery from './ecs-service-recovery/runbook';
import lambdaErrorsRollback from './lambda-errors-rollback/runbook';
import lambdaRunaway from './lambda-runaway/runbook';
import lambdaTimeouts from './lambda-timeouts/runbook';
import llmBudgetGuardrail from './llm-budget-guardrail/runbook';
import workflowStuck from './workflow-stuck/runbook';
import ecsDeploymentRollback from './ecs-deployment-rollback/runbook';
import scaleOut from './scale-out/runbook';
import modelDrift from './model-drift/runbook';
import apiLatency from './api-latency/runbook';
import agentopsKey from './agentops-key/runbook';
import s3AccessDenied from './s3-access-denied/runbook';
import pageOnCall from './page-on-call/runbook';
import credentialExposure from './credential-exposure/runbook';
import agentcoreHalt from './agentcore-halt/runbook';

import authDegradedMode from './auth-degraded-mode/runbook';

export const RUNBOOKS = [
  lambdaRunaway, dynamodbThrottling, ecsServiceRecovery, llmBudgetGuardrail, lambdaErrorsRollback, lambdaTimeouts, workflowStuck, ecsDeploymentRollback, scaleOut, databaseRecovery,
  modelDrift, apiLatency, agentopsKey, s3AccessDenied, pageOnCall, credentialExposure, agentcoreHalt, authDegradedMode,
] as const;

export type RegisteredRunbook = (typeof RUNBOOKS)[number];
export type RunbookName = RegisteredRunbook['name'];
export const RUNBOOK_NAMES: readonly RunbookName[] = RUNBOOKS.map((m) => m.name);
