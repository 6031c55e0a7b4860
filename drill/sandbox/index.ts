/**
 * The drill's sandbox account: a fake AWS (Lambda, ECS, SSM, Cost Explorer, SNS, Step Functions,
 * CloudWatch) that unmodified SDK v3 clients reach over HTTP, plus dynalite for DynamoDB.
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
  seedTasks,
  type DeepPartial,
  type StateOverride,
} from './seed-account';
export { startDynamo, createProvisionedTables, createSeedTables, type LocalDynamo, type ProvisionedTableSpec } from './dynamodb';
export type { FaultKind, FaultSpec, PublishedMessage, SandboxCall, SandboxHooks, StartedExecution, TaskResult } from './model';
export { TASK_TOKEN_PREFIX } from './sfn';
export type { SandboxSnapshot } from './snapshot';
export type * from './state';
export { SERVICES } from './state';
