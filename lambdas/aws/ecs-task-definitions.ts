import type { ECSClient, RegisterTaskDefinitionCommandInput, TaskDefinition } from '@aws-sdk/client-ecs';
import { classifyAwsError, hasErrorName, TargetNotFound } from '../shared/errors';
import { ecsClients } from './ecs';

/** A registered task definition as RegisterTaskDefinition takes it again, with its ARN and revision. */
export interface TaskDefinitionView {
  readonly arn: string;
  readonly family: string;
  readonly revision: number;
  /** Every field RegisterTaskDefinition takes, as registered (tags included): a new revision from it changes nothing else. */
  readonly registration: RegisterTaskDefinitionCommandInput;
}

/**
 * The fields of a described task definition that RegisterTaskDefinition takes; the rest
 * (taskDefinitionArn, revision, status, requiresAttributes, compatibilities, registeredAt,
 * registeredBy, deregisteredAt, deleteRequestedAt) ECS sets itself.
 */
const REGISTERED_FIELDS = [
  'family', 'taskRoleArn', 'executionRoleArn', 'networkMode', 'containerDefinitions', 'volumes', 'placementConstraints',
  'requiresCompatibilities', 'cpu', 'memory', 'pidMode', 'ipcMode', 'proxyConfiguration', 'inferenceAccelerators',
  'ephemeralStorage', 'runtimePlatform', 'enableFaultInjection',
] as const satisfies readonly (keyof TaskDefinition & keyof RegisterTaskDefinitionCommandInput)[];

function registrationOf(definition: TaskDefinition, tags: RegisterTaskDefinitionCommandInput['tags']): RegisterTaskDefinitionCommandInput {
  const fields = Object.fromEntries(REGISTERED_FIELDS.filter((k) => definition[k] !== undefined).map((k) => [k, definition[k]]));
  return { ...(fields as unknown as RegisterTaskDefinitionCommandInput), ...(tags && tags.length > 0 ? { tags } : {}) };
}

/** ECS task definitions: read one whole (with its tags), register a new revision of a family. */
export class TaskDefinitionClient {
  /** RegisterTaskDefinition: no SDK retry (see mutation-client.ts); a second call is a second revision. */
  private readonly clients: ReturnType<typeof ecsClients>;

  constructor(ecs?: ECSClient, mutations?: ECSClient) {
    this.clients = ecsClients(ecs, mutations);
  }

  /** A revision (ARN or family:revision), or a family's newest ACTIVE revision. */
  async describe(ref: string): Promise<TaskDefinitionView> {
    let out;
    try {
      const { m, client } = await this.clients.reads.get();
      out = await client.send(new m.DescribeTaskDefinitionCommand({ taskDefinition: ref, include: ['TAGS'] }));
    } catch (e: unknown) {
      // ECS answers a task definition it does not have with ClientException ("Unable to describe task definition.").
      if (hasErrorName(e, 'ClientException')) throw new TargetNotFound(`task definition ${ref} not found (${e.message})`);
      throw classifyAwsError(e, `ecs:DescribeTaskDefinition of ${ref}`);
    }
    return viewOf(out.taskDefinition, out.tags, ref);
  }

  /** Registers a new revision of the registration's family; returns it as registered. */
  async register(registration: RegisterTaskDefinitionCommandInput): Promise<TaskDefinitionView> {
    let out;
    try {
      const { m, client } = await this.clients.mutations.get();
      out = await client.send(new m.RegisterTaskDefinitionCommand(registration));
    } catch (e: unknown) {
      throw classifyAwsError(e, `ecs:RegisterTaskDefinition of ${registration.family ?? '?'}`);
    }
    return viewOf(out.taskDefinition, out.tags, registration.family ?? '?');
  }
}

function viewOf(definition: TaskDefinition | undefined, tags: RegisterTaskDefinitionCommandInput['tags'], ref: string): TaskDefinitionView {
  if (!definition?.taskDefinitionArn || !definition.family || definition.revision === undefined) throw new TargetNotFound(`task definition ${ref}: ECS returned none`);
  return { arn: definition.taskDefinitionArn, family: definition.family, revision: definition.revision, registration: registrationOf(definition, tags) };
}
