/**
 * A deployed environment as the command line reaches it: its config (config/<env>.json, the same
 * the stack was synthesized from), its region, and SDK clients on the usual credential chain (or
 * `--profile`). Every call goes through `call`, which turns an SDK failure into one sentence.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { stackNameOf } from '../../lib/catalog';
import { ConfigError, loadConfig, type EnvironmentConfig } from '../../lib/config/load';
import { awsFailure, usageError } from './errors';
import type { Settings } from './settings';

export interface DeployedStack {
  readonly env: string;
  readonly config: EnvironmentConfig;
  readonly region: string;
  /** The CloudFormation stack's name (bin/app.ts), for messages. */
  readonly stack: string;
  readonly ssm: SSMClient;
  readonly dynamo: DynamoDBClient;
  readonly sfn: SFNClient;
  /** Runs an AWS call; its failure becomes a CliError naming what was being done. */
  call<T>(doing: string, f: () => Promise<T>): Promise<T>;
}

export function environmentConfig(env: string): EnvironmentConfig {
  try {
    return loadConfig(env);
  } catch (e: unknown) {
    if (e instanceof ConfigError) throw usageError(`--env ${env}: ${e.message}`);
    throw e;
  }
}

export function openStack(settings: Extract<Settings, { kind: 'stack' }>): DeployedStack {
  const config = environmentConfig(settings.env);
  const region = settings.region ?? config.region;
  const stack = stackNameOf(settings.env);
  const options = { region, ...(settings.profile !== undefined ? { profile: settings.profile } : {}) };
  return {
    env: settings.env, config, region, stack,
    ssm: new SSMClient(options), dynamo: new DynamoDBClient(options), sfn: new SFNClient(options),
    async call<T>(doing: string, f: () => Promise<T>): Promise<T> {
      try {
        return await f();
      } catch (e: unknown) {
        throw awsFailure(e, doing, { region, stack });
      }
    },
  };
}
