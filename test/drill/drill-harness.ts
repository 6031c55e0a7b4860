import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Drill, type DrillOptions } from '../../drill/drill';

export interface DrillSandbox {
  readonly drill: Drill;
  /** A client of the drill's DynamoDB (the target tables), as the handlers reach it. */
  readonly dynamo: DynamoDBClient;
}

/**
 * One drill sandbox for the enclosing describe block (or file): started before its tests, closed
 * after them, and the process environment the drill points at the sandbox put back. One per
 * process at a time: the handlers' SDK clients keep the first sandbox's endpoints.
 */
export function useDrillSandbox(options: DrillOptions | (() => DrillOptions) = {}): DrillSandbox {
  const saved = { ...process.env };
  let drill: Drill | undefined;
  let dynamo: DynamoDBClient | undefined;
  beforeAll(async () => {
    drill = await Drill.start(typeof options === 'function' ? options() : options);
    dynamo = new DynamoDBClient({
      endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB, region: process.env.AWS_REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  });
  afterAll(async () => {
    dynamo?.destroy();
    await drill?.close();
    process.env = { ...saved };
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the drill sandbox is started in beforeAll: use it inside a test');
    return value;
  };
  return {
    get drill() { return started(drill); },
    get dynamo() { return started(dynamo); },
  };
}

/** The last notification an execution sent (its Notify invocation's output). */
export const lastNotice = (execution: { invocations: readonly { functionName: string; output?: unknown }[] }): unknown =>
  execution.invocations.filter((i) => i.functionName.endsWith('-Notify')).at(-1)?.output;
