import {
  DeleteFunctionConcurrencyCommand, GetFunctionCommand, GetFunctionConfigurationCommand, LambdaClient, ListEventSourceMappingsCommand,
  PutFunctionConcurrencyCommand, ResourceConflictException, ResourceNotFoundException, UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { AwsThrottled, classifyAwsError, TargetNotFound } from '../shared/errors';
import { MUTATION_CLIENT_CONFIG } from '../shared/mutation-client';

/** A function's reserved concurrency: a number, or null when it has none (uses the unreserved pool). */
export interface FunctionConcurrency {
  functionName: string;
  reservedConcurrency: number | null;
  state: string | null;
}

export class FunctionConcurrencyClient {
  constructor(
    private readonly lambda: LambdaClient = new LambdaClient({}),
    /** Puts and deletes: no SDK retry (see mutation-client.ts). */
    private readonly mutations: LambdaClient = new LambdaClient(MUTATION_CLIENT_CONFIG),
  ) {}

  async read(functionName: string): Promise<FunctionConcurrency> {
    try {
      const out = await this.lambda.send(new GetFunctionCommand({ FunctionName: functionName }));
      return {
        functionName,
        reservedConcurrency: out.Concurrency?.ReservedConcurrentExecutions ?? null,
        state: out.Configuration?.State ?? null,
      };
    } catch (e: unknown) {
      throw this.mapError(e, functionName, 'GetFunction');
    }
  }

  async put(functionName: string, reserved: number): Promise<number> {
    try {
      const out = await this.mutations.send(new PutFunctionConcurrencyCommand({ FunctionName: functionName, ReservedConcurrentExecutions: reserved }));
      return out.ReservedConcurrentExecutions ?? reserved;
    } catch (e: unknown) {
      throw this.mapError(e, functionName, 'PutFunctionConcurrency');
    }
  }

  /** Removes the reserved concurrency: the function goes back to the unreserved pool ("none"). */
  async remove(functionName: string): Promise<null> {
    try {
      await this.mutations.send(new DeleteFunctionConcurrencyCommand({ FunctionName: functionName }));
      return null;
    } catch (e: unknown) {
      throw this.mapError(e, functionName, 'DeleteFunctionConcurrency');
    }
  }

  private mapError(e: unknown, functionName: string, operation: string): Error {
    if (e instanceof ResourceNotFoundException) return new TargetNotFound(`Lambda function ${functionName} does not exist (${operation})`);
    return classifyAwsError(e, `lambda:${operation} on ${functionName}`);
  }
}

/** The configuration fields a runbook changes and an undo puts back, named as UpdateFunctionConfiguration names them. */
export interface FunctionSettings {
  readonly Timeout: number;
  readonly MemorySize: number;
}

/** A function's configuration, as a runbook decides on it. */
export interface FunctionConfiguration {
  readonly functionName: string;
  readonly settings: FunctionSettings;
  /** Successful, InProgress or Failed: a second update while InProgress is refused. */
  readonly lastUpdateStatus: string;
  readonly lastUpdateStatusReason: string | null;
  readonly logGroup: string;
}

/** An event source mapping that invokes a function (SQS, Kinesis, DynamoDB Streams). */
export interface EventSource {
  readonly uuid: string;
  readonly eventSourceArn: string;
  readonly state: string;
}

/** Reads and updates a function's configuration (timeout, memory) and lists its event sources. */
export class FunctionConfigurationClient {
  constructor(
    private readonly lambda: LambdaClient = new LambdaClient({}),
    /** UpdateFunctionConfiguration: no SDK retry (see mutation-client.ts). */
    private readonly mutations: LambdaClient = new LambdaClient(MUTATION_CLIENT_CONFIG),
  ) {}

  async read(functionName: string): Promise<FunctionConfiguration> {
    try {
      const out = await this.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
      if (out.Timeout === undefined || out.MemorySize === undefined) throw new Error(`lambda:GetFunctionConfiguration returned no timeout or memory for ${functionName}`);
      return {
        functionName,
        settings: { Timeout: out.Timeout, MemorySize: out.MemorySize },
        lastUpdateStatus: out.LastUpdateStatus ?? 'Successful',
        lastUpdateStatusReason: out.LastUpdateStatusReason ?? null,
        logGroup: out.LoggingConfig?.LogGroup ?? `/aws/lambda/${functionName}`,
      };
    } catch (e: unknown) {
      throw mapConfigurationError(e, functionName, 'GetFunctionConfiguration');
    }
  }

  /** Sets these settings (absolute values); returns them. The update then runs InProgress until Successful or Failed. */
  async update(functionName: string, settings: Partial<FunctionSettings>): Promise<Partial<FunctionSettings>> {
    try {
      await this.mutations.send(new UpdateFunctionConfigurationCommand({ FunctionName: functionName, ...settings }));
      return settings;
    } catch (e: unknown) {
      throw mapConfigurationError(e, functionName, 'UpdateFunctionConfiguration');
    }
  }

  async eventSources(functionName: string): Promise<EventSource[]> {
    const found: EventSource[] = [];
    let marker: string | undefined;
    try {
      do {
        const out = await this.lambda.send(new ListEventSourceMappingsCommand({ FunctionName: functionName, ...(marker ? { Marker: marker } : {}) }));
        for (const m of out.EventSourceMappings ?? []) {
          if (m.UUID && m.EventSourceArn) found.push({ uuid: m.UUID, eventSourceArn: m.EventSourceArn, state: m.State ?? 'unknown' });
        }
        marker = out.NextMarker;
      } while (marker);
      return found;
    } catch (e: unknown) {
      throw mapConfigurationError(e, functionName, 'ListEventSourceMappings');
    }
  }
}

function mapConfigurationError(e: unknown, functionName: string, operation: string): Error {
  if (e instanceof ResourceNotFoundException) return new TargetNotFound(`Lambda function ${functionName} does not exist (${operation})`);
  // Another update is still InProgress: refused before it applied, and over in seconds, so retried like throttling.
  if (e instanceof ResourceConflictException) return new AwsThrottled(`lambda:${operation} on ${functionName}: ${e.name}: ${e.message}`);
  return classifyAwsError(e, `lambda:${operation} on ${functionName}`);
}
