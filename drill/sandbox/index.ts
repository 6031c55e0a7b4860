/**
 * The drill's sandbox account: a fake AWS (the services in registry.ts) that unmodified SDK v3
 * clients reach over HTTP, plus dynalite for DynamoDB. README.md here says how a service is added.
 */
export { startSandbox, type Sandbox } from './server';
export { sandboxEndpointEnv, SANDBOX_CREDENTIALS, SANDBOX_ENDPOINT_VARIABLES } from './env';
export {
  seedAccountState,
  SANDBOX_ACCOUNT_ID,
  SANDBOX_REGION,
  TOPIC_ARNS,
  AGENT_FUNCTIONS,
  ALLOW_TAG,
  OTHER_FUNCTIONS,
  TAGGED_FUNCTION,
  UNTAGGED_FUNCTION,
  ECS_CLUSTER,
  ADMIN_SERVICE,
  PROXY_SERVICE,
  MODEL_PREFERENCE_PARAMETER,
  SEED_MODEL,
  COST_BUCKET_TAG,
  SEED_TABLES,
  STUCK_TASK_IDS,
  AGENT_QUEUE_BUCKET,
  RESEARCHER_RULES,
  RESEARCHER_FUNCTION,
  SEED_STATE_MACHINE,
  PROXY_SECRET,
  seedTasks,
  type DeepPartial,
  type StateOverride,
} from './seed-account';
export { AGENTCORE_GATEWAY_ID, HALT_POLICY_ENGINE, KILL_SWITCH_PATHS, KILL_SWITCH_SECRET, KILL_SWITCH_TOKEN, TOOL_POLICY_ENGINE } from './seed-agentcore';
export { startDynamo, createProvisionedTables, createSeedTables, untilActive, type LocalDynamo, type ProvisionedTableSpec } from './dynamodb';
export type { FaultKind, PublishedMessage, StartedExecution, TaskResult } from './model';
export type { FaultSpec, SandboxCall, SandboxHooks } from './api';
export { DYNAMODB_FAULTS, FAULTS } from './fault-table';
export { FaultQueue, INJECTED_ERRORS, faultError, planFault, type ErrorShape, type FaultRow, type InjectedError, type InjectedFault, type ServiceFaults } from './faults';
export { SERVICE_REGISTRY, SERVICES, serviceEntry, type RegisteredService, type ServiceEntry, type ServiceName } from './registry';
export { deliveredAs } from './sns';
export { TASK_TOKEN_PREFIX } from './sfn';
export { FRONTEND_ALARM, FRONTEND_COMPOSITE_ALARM, FRONTEND_LOG_GROUP, FRONTEND_SERVICE, FRONTEND_TASK_DEFINITION } from './seed-admin-frontend';
export {
  LONG_RUNNING_EXECUTION, LONG_RUNNING_STATE, WORKFLOW_CAUSE, WORKFLOW_ERROR, WORKFLOW_EXECUTION, WORKFLOW_FAILED_STATE, WORKFLOW_MACHINE,
} from './seed-workflows';
export {
  DATA_COLLECTION_SERVICE, MARKETDATA_CLUSTER, STRATEGY_DEPLOYMENT, STRATEGY_HEARTBEAT_ALARM, STRATEGY_SERVICE, TRADAI_CLUSTER, TRADAI_DB, TRADAI_DB_CONNECTIONS_ALARM, TRADAI_DB_PARAMETER_GROUP,
} from './seed-tradai';
export { SLOW_API_ALARM, SLOW_API_LOAD_BALANCER, THROTTLED_TASKS_TABLE } from './seed-slow-api';
export { CRASHLOOP_ALARM, LEVEL_TOPICS, POSITION_STUCK_ALARM } from './seed-paged-alarms';
export { AGENTOPS_ALARM, AGENTOPS_API_KEY_VALUE, AGENTOPS_SECRET, AGENTOPS_VARIABLE, KEYLESS_AGENT } from './seed-agentops';
export { ARTIFACTS_BUCKET, ARTIFACTS_KEY_ID, DENY_UNENCRYPTED_SID, ENGINEER_ROLE } from './seed-s3-access';
export { ASSUMED_SESSION_TOKEN, CI_DEPLOYER_KEY, CI_DEPLOYER_OLD_KEY, CI_DEPLOYER_USER, ORIGIN_SECRET_KEY, ORIGIN_SECRET_LEAKED_VALUE, ORIGIN_SECRET_PARAMETER, ORIGIN_SECRET_VERSION } from './seed-credentials';
export { API_CLUSTER, API_SERVICE, API_TASK_DEFINITION, JWKS_ALARM } from './seed-auth';
export { DRIFT_MODEL, PSI_DRIFT_ALARM, PSI_SIGNIFICANT_ALARM, RETRAINING_MACHINE, RETRAINING_MACHINE_NAME, RETRAINING_OUTPUT, TRADING_SWITCH } from './seed-models';
export { HISTORY_ALARMS } from './seed-alarm-history';
export { ALARM_HISTORY_RETENTION_DAYS } from './alarm-history';
export type { SandboxSnapshot } from './snapshot';
export type * from './state';
