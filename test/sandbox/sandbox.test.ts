import { GetFunctionCommand, LambdaClient, PutFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  ADMIN_SERVICE,
  ECS_CLUSTER,
  MODEL_PREFERENCE_PARAMETER,
  seedAccountState,
  startSandbox,
  type SandboxCall,
} from '../../drill/sandbox';
import { clientConfig, useSandbox } from './support';

const RESEARCHER = 'cabruca-segmentation-prod-researcher-agent';

describe('the onCall hook', () => {
  const seen: { call: SandboxCall; reservedAtCall: number | null | undefined }[] = [];
  const sandbox = useSandbox(undefined, {
    onCall: async (call) => {
      // An audit-table read would be as slow: the mutation must wait for it.
      await new Promise((resolve) => setTimeout(resolve, 20));
      seen.push({ call, reservedAtCall: sandbox().state.lambda.functions[RESEARCHER]?.reservedConcurrency });
    },
  });
  beforeEach(() => {
    seen.length = 0;
  });

  test('is awaited before the call is applied, and sees whether it mutates', async () => {
    const lambda = new LambdaClient(clientConfig(sandbox()));
    await lambda.send(new GetFunctionCommand({ FunctionName: RESEARCHER }));
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: RESEARCHER, ReservedConcurrentExecutions: 0 }));

    expect(seen.map((s) => [s.call.operation, s.call.mutating, s.reservedAtCall])).toEqual([
      ['GetFunction', false, null],
      ['PutFunctionConcurrency', true, null],
    ]);
    expect(sandbox().state.lambda.functions[RESEARCHER]?.reservedConcurrency).toBe(0);
  });
});

describe('snapshot', () => {
  const sandbox = useSandbox();

  test('is a plain JSON view that shows what a runbook changed', async () => {
    const before = sandbox().snapshot();
    const config = clientConfig(sandbox());
    await new LambdaClient(config).send(new PutFunctionConcurrencyCommand({ FunctionName: RESEARCHER, ReservedConcurrentExecutions: 0 }));
    await new SSMClient(config).send(new PutParameterCommand({ Name: MODEL_PREFERENCE_PARAMETER, Value: 'haiku', Type: 'String', Overwrite: true }));
    await new ECSClient(config).send(new UpdateServiceCommand({ cluster: ECS_CLUSTER, service: ADMIN_SERVICE, forceNewDeployment: true }));
    for (let i = 0; i < 2; i++) await new ECSClient(config).send(new DescribeServicesCommand({ cluster: ECS_CLUSTER, services: [ADMIN_SERVICE] }));
    const after = sandbox().snapshot();

    expect(JSON.parse(JSON.stringify(after))).toEqual(after);
    expect(before.lambda.functions[RESEARCHER]).toMatchObject({ reservedConcurrency: null });
    expect(after.lambda.functions[RESEARCHER]).toMatchObject({ reservedConcurrency: 0 });
    expect(after.ssm[MODEL_PREFERENCE_PARAMETER]).toEqual({ value: 'haiku', version: 2 });
    expect(before.ecs[`${ECS_CLUSTER}/${ADMIN_SERVICE}`]).toMatchObject({ runningCount: 0, failure: 'health-check' });
    expect(after.ecs[`${ECS_CLUSTER}/${ADMIN_SERVICE}`]).toMatchObject({ runningCount: 2, failure: 'none' });
    expect(after.ecs[`${ECS_CLUSTER}/${ADMIN_SERVICE}`]?.deployments).toEqual([
      expect.objectContaining({ status: 'PRIMARY', rolloutState: 'COMPLETED', runningCount: 2 }),
    ]);
  });
});

describe('startSandbox', () => {
  test('works on a copy: the state passed in is never changed', async () => {
    const initial = seedAccountState();
    const frozen = JSON.stringify(initial);
    const sandbox = await startSandbox(initial);
    try {
      await new LambdaClient(clientConfig(sandbox)).send(
        new PutFunctionConcurrencyCommand({ FunctionName: RESEARCHER, ReservedConcurrentExecutions: 0 }),
      );
      expect(JSON.stringify(initial)).toBe(frozen);
    } finally {
      await sandbox.close();
    }
  });

  test('a request signed for a service the sandbox does not model is refused', async () => {
    const sandbox = await startSandbox(seedAccountState());
    try {
      const res = await fetch(sandbox.url, { method: 'POST', body: '{}' });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ __type: 'UnrecognizedClientException' });
    } finally {
      await sandbox.close();
    }
  });
});
