import type { LambdaClient } from '@aws-sdk/client-lambda';
import { AliasChanged, AwsThrottled, ChangeRejected, classifyAwsError, hasErrorName, TargetNotFound } from '../shared/errors';
import { readsAndMutations } from '../shared/lazy-sdk';
import { lambdaSdk } from '../shared/sdk-modules';


/** One caller's Lambda clients, made at their first call (shared/lazy-sdk.ts). */
export const lambdaClients = (reads?: LambdaClient, mutations?: LambdaClient) =>
  readsAndMutations(lambdaSdk, (m, settings) => new m.LambdaClient(settings), reads, mutations);

/** A function's reserved concurrency: a number, or null when it has none (uses the unreserved pool). */
export interface FunctionConcurrency {
  functionName: string;
  reservedConcurrency: number | null;
  state: string | null;
}

export class FunctionConcurrencyClient {
  private readonly clients: ReturnType<typeof lambdaClients>;

  constructor(lambda?: LambdaClient, mutations?: LambdaClient) {
    this.clients = lambdaClients(lambda, mutations);
  }

  async read(functionName: string): Promise<FunctionConcurrency> {
    try {
      const { m, client } = await this.clients.reads.get();
      const out = await client.send(new m.GetFunctionCommand({ FunctionName: functionName }));
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
      const { m, client } = await this.clients.mutations.get();
      const out = await client.send(new m.PutFunctionConcurrencyCommand({ FunctionName: functionName, ReservedConcurrentExecutions: reserved }));
      return out.ReservedConcurrentExecutions ?? reserved;
    } catch (e: unknown) {
      throw this.mapError(e, functionName, 'PutFunctionConcurrency');
    }
  }

  /** Removes the reserved concurrency: the function goes back to the unreserved pool ("none"). */
  async remove(functionName: string): Promise<null> {
    try {
      const { m, client } = await this.clients.mutations.get();
      await client.send(new m.DeleteFunctionConcurrencyCommand({ FunctionName: functionName }));
      return null;
    } catch (e: unknown) {
      throw this.mapError(e, functionName, 'DeleteFunctionConcurrency');
    }
  }

  private mapError(e: unknown, functionName: string, operation: string): Error {
    if (hasErrorName(e, 'ResourceNotFoundException')) return new TargetNotFound(`Lambda function ${functionName} does not exist (${operation})`);
    return classifyAwsError(e, `lambda:${operation} on ${functionName}`);
  }
}

/** An alias as a rollback compares it: the version it serves and a canary's weights ({} when none). */
export interface AliasRouting {
  readonly functionVersion: string;
  readonly additionalVersionWeights: Readonly<Record<string, number>>;
}

/** An alias as read now: its routing and the RevisionId an update must name. */
export interface AliasState extends AliasRouting {
  readonly functionName: string;
  readonly alias: string;
  readonly revisionId: string;
}

/** One published version (or $LATEST) and the code it holds. */
export interface FunctionVersion {
  readonly version: string;
  readonly codeSha256: string;
  readonly description: string;
  readonly lastModified: string;
}

/** The alias named by a target key "function:alias" (neither part may hold a colon). */
export function parseAliasKey(key: string): { functionName: string; alias: string } {
  const at = key.lastIndexOf(':');
  if (at <= 0 || at === key.length - 1) throw new TargetNotFound(`${key} does not name an alias as function:alias`);
  return { functionName: key.slice(0, at), alias: key.slice(at + 1) };
}

/**
 * Aliases and versions (seed 003 §1, "Quick rollback" by alias): every update names the
 * RevisionId it was read with, so a change someone made since is refused (AliasChanged), never
 * overwritten.
 */
export class AliasClient {
  private readonly clients: ReturnType<typeof lambdaClients>;

  constructor(lambda?: LambdaClient, mutations?: LambdaClient) {
    this.clients = lambdaClients(lambda, mutations);
  }

  async read(functionName: string, alias: string): Promise<AliasState> {
    try {
      const { m, client } = await this.clients.reads.get();
      const out = await client.send(new m.GetAliasCommand({ FunctionName: functionName, Name: alias }));
      return aliasState(functionName, alias, out);
    } catch (e: unknown) {
      throw this.mapError(e, `${functionName}:${alias}`, 'GetAlias');
    }
  }

  /** Every published version and $LATEST, in Lambda's order (all pages). */
  async versions(functionName: string): Promise<FunctionVersion[]> {
    const found: FunctionVersion[] = [];
    try {
      const { m, client } = await this.clients.reads.get();
      for await (const page of m.paginateListVersionsByFunction({ client }, { FunctionName: functionName })) {
        for (const v of page.Versions ?? []) {
          if (v.Version) found.push({ version: v.Version, codeSha256: v.CodeSha256 ?? '', description: v.Description ?? '', lastModified: v.LastModified ?? '' });
        }
      }
    } catch (e: unknown) {
      throw this.mapError(e, functionName, 'ListVersionsByFunction');
    }
    return found;
  }

  /** UpdateAlias to exactly this routing, only if the alias still has this RevisionId. */
  async update(functionName: string, alias: string, routing: AliasRouting, revisionId: string): Promise<AliasState> {
    try {
      const { m, client } = await this.clients.mutations.get();
      const out = await client.send(new m.UpdateAliasCommand({
        FunctionName: functionName, Name: alias, FunctionVersion: routing.functionVersion,
        RoutingConfig: { AdditionalVersionWeights: { ...routing.additionalVersionWeights } }, RevisionId: revisionId,
      }));
      return aliasState(functionName, alias, out);
    } catch (e: unknown) {
      throw this.mapError(e, `${functionName}:${alias}`, 'UpdateAlias');
    }
  }

  private mapError(e: unknown, what: string, operation: string): Error {
    if (hasErrorName(e, 'ResourceNotFoundException')) return new TargetNotFound(`${what} does not exist (${operation}: ${e.message})`);
    if (hasErrorName(e, 'PreconditionFailedException')) return new AliasChanged(`${what} changed since it was read: its RevisionId no longer matches (${operation})`);
    return classifyAwsError(e, `lambda:${operation} on ${what}`);
  }
}

function aliasState(functionName: string, alias: string, out: { FunctionVersion?: string; RoutingConfig?: { AdditionalVersionWeights?: Record<string, number> }; RevisionId?: string }): AliasState {
  return {
    functionName, alias,
    functionVersion: out.FunctionVersion ?? '$LATEST',
    additionalVersionWeights: { ...out.RoutingConfig?.AdditionalVersionWeights },
    revisionId: out.RevisionId ?? '',
  };
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
  private readonly clients: ReturnType<typeof lambdaClients>;

  constructor(lambda?: LambdaClient, mutations?: LambdaClient) {
    this.clients = lambdaClients(lambda, mutations);
  }

  async read(functionName: string): Promise<FunctionConfiguration> {
    try {
      const { m, client } = await this.clients.reads.get();
      const out = await client.send(new m.GetFunctionConfigurationCommand({ FunctionName: functionName }));
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
      const { m, client } = await this.clients.mutations.get();
      await client.send(new m.UpdateFunctionConfigurationCommand({ FunctionName: functionName, ...settings }));
      return settings;
    } catch (e: unknown) {
      throw mapConfigurationError(e, functionName, 'UpdateFunctionConfiguration');
    }
  }

  async eventSources(functionName: string): Promise<EventSource[]> {
    const found: EventSource[] = [];
    let marker: string | undefined;
    try {
      const { m, client } = await this.clients.reads.get();
      do {
        const out = await client.send(new m.ListEventSourceMappingsCommand({ FunctionName: functionName, ...(marker ? { Marker: marker } : {}) }));
        for (const mapping of out.EventSourceMappings ?? []) {
          if (mapping.UUID && mapping.EventSourceArn) found.push({ uuid: mapping.UUID, eventSourceArn: mapping.EventSourceArn, state: mapping.State ?? 'unknown' });
        }
        marker = out.NextMarker;
      } while (marker);
      return found;
    } catch (e: unknown) {
      throw mapConfigurationError(e, functionName, 'ListEventSourceMappings');
    }
  }
}

/** A function configuration call's error (lambda-environment.ts's too): it names the function and the call, never a value sent. */
export function mapConfigurationError(e: unknown, functionName: string, operation: string): Error {
  if (hasErrorName(e, 'ResourceNotFoundException')) return new TargetNotFound(`Lambda function ${functionName} does not exist (${operation})`);
  // An update that named a RevisionId the function no longer has: refused by Lambda, nothing applied.
  if (hasErrorName(e, 'PreconditionFailedException')) return new ChangeRejected(`${functionName} changed since it was read: its RevisionId no longer matches (${operation}); nothing was overwritten`);
  // Another update is still InProgress: refused before it applied, and over in seconds, so retried like throttling.
  if (hasErrorName(e, 'ResourceConflictException')) return new AwsThrottled(`lambda:${operation} on ${functionName}: ${e.name}: ${e.message}`);
  return classifyAwsError(e, `lambda:${operation} on ${functionName}`);
}
