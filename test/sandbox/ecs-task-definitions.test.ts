import { DescribeTaskDefinitionCommand, ECSClient, RegisterTaskDefinitionCommand, type RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { API_SERVICE, API_TASK_DEFINITION } from '../../drill/sandbox';
import { clientConfig, rejectionOf, useSandbox } from './support';

const sandbox = useSandbox();
const ecs = () => new ECSClient(clientConfig(sandbox()));
const revisions = () => Object.keys(sandbox().state.ecs.taskDefinitions).filter((k) => k.startsWith(`${API_SERVICE}:`)).sort();

/** The API's task definition as DescribeTaskDefinition answers it, turned into a registration (what the runbook does). */
async function registrationOfSeed(): Promise<RegisterTaskDefinitionCommandInput> {
  const out = await ecs().send(new DescribeTaskDefinitionCommand({ taskDefinition: API_TASK_DEFINITION, include: ['TAGS'] }));
  const d = out.taskDefinition!;
  return {
    family: d.family, taskRoleArn: d.taskRoleArn, executionRoleArn: d.executionRoleArn, networkMode: d.networkMode, containerDefinitions: d.containerDefinitions,
    requiresCompatibilities: d.requiresCompatibilities, cpu: d.cpu, memory: d.memory, tags: out.tags,
  };
}

describe('ECS task definitions', () => {
  test('DescribeTaskDefinition answers the container environment, secrets by reference, roles, size and (with include TAGS) tags', async () => {
    const out = await ecs().send(new DescribeTaskDefinitionCommand({ taskDefinition: API_TASK_DEFINITION, include: ['TAGS'] }));

    expect(out.taskDefinition).toMatchObject({
      family: API_SERVICE, revision: 14, cpu: '1024', memory: '2048',
      taskRoleArn: `arn:aws:iam::111122223333:role/${API_SERVICE}-task`, executionRoleArn: `arn:aws:iam::111122223333:role/${API_SERVICE}-execution`,
      containerDefinitions: [expect.objectContaining({
        name: 'alphaswarm-api', essential: true, portMappings: [{ containerPort: 8000, protocol: 'tcp' }],
        environment: expect.arrayContaining([{ name: 'ALPHASWARM_AUTH_ENFORCE', value: 'strict' }]),
        secrets: [{ name: 'DATABASE_URL', valueFrom: expect.stringContaining(':secret:/alphaswarm/prod/database_url-') }],
      })],
    });
    expect(out.tags).toEqual(expect.arrayContaining([{ key: 'Service', value: API_SERVICE }]));
    // Without include, no tags.
    expect((await ecs().send(new DescribeTaskDefinitionCommand({ taskDefinition: API_TASK_DEFINITION }))).tags).toBeUndefined();
  });

  test('RegisterTaskDefinition adds the next revision of the family, which a describe of the family then answers, registered as sent', async () => {
    const registration = await registrationOfSeed();
    const out = await ecs().send(new RegisterTaskDefinitionCommand(registration));

    expect(out.taskDefinition).toMatchObject({ family: API_SERVICE, revision: 15, taskDefinitionArn: `arn:aws:ecs:sa-east-1:111122223333:task-definition/${API_SERVICE}:15` });
    const newest = await ecs().send(new DescribeTaskDefinitionCommand({ taskDefinition: API_SERVICE, include: ['TAGS'] }));
    expect(newest.taskDefinition?.revision).toBe(15);
    expect(newest.taskDefinition?.containerDefinitions).toEqual(registration.containerDefinitions);
    expect(newest.tags).toEqual(registration.tags);
    expect(revisions()).toEqual([`${API_SERVICE}:14`, `${API_SERVICE}:15`]);
  });

  test.each([
    ['no family', (r: RegisterTaskDefinitionCommandInput) => ({ ...r, family: undefined }), 'family'],
    ['a family with a space', (r: RegisterTaskDefinitionCommandInput) => ({ ...r, family: 'alphaswarm api' }), 'Family contains invalid characters'],
    ['no containers', (r: RegisterTaskDefinitionCommandInput) => ({ ...r, containerDefinitions: [] }), 'Container list cannot be empty.'],
    ['a container without its image', (r: RegisterTaskDefinitionCommandInput) => ({ ...r, containerDefinitions: [{ ...r.containerDefinitions![0], image: undefined }] }), 'Container.image should not be null or empty.'],
    ['Fargate without task-level cpu', (r: RegisterTaskDefinitionCommandInput) => ({ ...r, cpu: undefined }), "Fargate requires that 'cpu' be defined at the task level."],
    ['secrets without an execution role', (r: RegisterTaskDefinitionCommandInput) => ({ ...r, executionRoleArn: undefined }), "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'."],
  ])('RegisterTaskDefinition with %s is a ClientException and registers nothing', async (_what, change, message) => {
    const e = await rejectionOf(ecs().send(new RegisterTaskDefinitionCommand(change(await registrationOfSeed()) as RegisterTaskDefinitionCommandInput)));

    expect({ name: e.name, status: e.$metadata?.httpStatusCode }).toEqual({ name: 'ClientException', status: 400 });
    expect(e.message).toContain(message);
    expect(revisions()).toEqual([`${API_SERVICE}:14`]);
  });
});
