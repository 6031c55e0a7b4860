import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Permission } from '../../runbooks/kit';

/** Entries are named from the repository root (runbooks/<name>/handlers/..., lambdas/<shared>/...). */
export const REPO_ROOT = path.join(__dirname, '..', '..');

export interface HandlerFunctionProps {
  /** Entry file, from the repository root. */
  readonly entry: string;
  readonly description: string;
  readonly environment?: Readonly<Record<string, string>>;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * How every handler is bundled (esbuild; `npm run bench` builds the same bundles and prints their
 * sizes and cold starts). The AWS SDK v3 is left out and the function imports the one the Node.js
 * 24 runtime provides: bundling each handler's clients would add 300-750 KB per function for a cold
 * start no faster (slower in the last pair measured: docs/operating.md's performance section), at
 * the price of the SDK version being the runtime's, not package.json's. Everything else (zod/mini,
 * Powertools, middy) is bundled, minified, with a source map beside it.
 */
export const HANDLER_BUNDLING = {
  format: OutputFormat.ESM,
  minify: true,
  sourceMap: true,
  // Positions and names only: stack traces need no copy of the sources, and the map is read at each cold start (a fifth of the size).
  sourcesContent: false,
  target: 'node24',
  mainFields: ['module', 'main'],
  externalModules: ['@aws-sdk/*'],
  // Some dependencies still call require(); give the ESM bundle one.
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
} as const satisfies BundlingOptions;

/**
 * What every function's runtime starts with, beside its own configuration: stack traces that name
 * the source files, through the bundle's source map. It costs about 3 ms of each cold start here
 * (the map is read when the bundle loads; 4-8 ms with the sources inside it); `npm run bench` starts
 * each handler with it.
 */
export const RUNTIME_ENVIRONMENT = { NODE_OPTIONS: '--enable-source-maps' } as const;

/**
 * Every handler's defaults in one place: Node.js 24 on arm64, X-Ray active tracing, the bundle
 * above (the runtime's AWS SDK), structured logs in a log group of its own with a retention. Its
 * role starts empty: no managed policy, only writing to its own log group; each handler's grants
 * are added to it.
 */
export class HandlerFunction extends NodejsFunction {
  /** The entry file it bundles, from the repository root. */
  readonly entry: string;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `runbook-autopilot ${id}`,
    });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
    super(scope, id, {
      role,
      entry: path.join(REPO_ROOT, props.entry),
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      tracing: lambda.Tracing.ACTIVE,
      memorySize: 256,
      timeout: props.timeout ?? Duration.seconds(30),
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        POWERTOOLS_SERVICE_NAME: `runbook-autopilot-${id}`,
        ...RUNTIME_ENVIRONMENT,
        ...props.environment,
      },
      bundling: { ...HANDLER_BUNDLING, mainFields: [...HANDLER_BUNDLING.mainFields], externalModules: [...HANDLER_BUNDLING.externalModules] },
    });
    this.entry = props.entry;
  }

  /** Adds the catalog's statements for this handler to its role: its actions, on its resources. */
  grantPermissions(permissions: readonly Permission[]): void {
    for (const permission of permissions) this.addToRolePolicy(toStatement(permission));
  }
}

/** One catalog permission as an IAM statement. */
export function toStatement(permission: Permission): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: [...permission.actions],
    resources: [...permission.resources],
    ...(permission.conditions ? { conditions: permission.conditions } : {}),
  });
}
