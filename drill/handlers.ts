import * as path from 'node:path';
import type { Context } from 'aws-lambda';
import type { HandlerDef } from '../runbooks/kit';
import { asCaller } from './callers';

/** Entries are named from the repository root, as the stack bundles them. */
const REPO_ROOT = path.join(__dirname, '..');

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

/** A handler as deployed: its function name and ARN, its own environment, its code. */
export interface DrillFunction {
  readonly name: string;
  readonly arn: string;
  readonly def: HandlerDef;
  readonly handler: LambdaHandler;
}

/**
 * A handler as Lambda runs it: its module is loaded at the function's first invocation (Lambda's
 * init), not before, with its own environment variables (from the same catalog the stack deploys),
 * in a fresh module instance, so two functions built from one file (the ECS redeploy handler serves
 * two runbooks) keep their own configuration. A drill then loads only the functions its events
 * reach. `init()` loads it now (a function initialized ahead, as with provisioned concurrency).
 */
export function loadFunction(def: HandlerDef, name: string, arn: string, env: Record<string, string>): DrillFunction & { init(): void } {
  let loaded: LambdaHandler | undefined;
  const init = (): LambdaHandler => {
    if (loaded) return loaded;
    const file = require.resolve(path.join(REPO_ROOT, def.entry));
    const saved = new Map(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    try {
      // Loaded at run time as CommonJS, not imported: an ES import is evaluated once per process.
      delete require.cache[file];
      const mod = module.require(file) as { handler?: unknown };
      if (typeof mod.handler !== 'function') throw new Error(`${def.entry} exports no handler`);
      return (loaded = mod.handler as LambdaHandler);
    } finally {
      for (const [k, v] of saved) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  };
  // The AWS calls it makes are recorded as this function's (drill/callers.ts).
  return { name, arn, def, handler: (event, context) => asCaller(name, async () => init()(event, context)), init: () => void init() };
}

/** Handler-side code: what a function's bundle holds. */
const HANDLER_SIDE = ['lambdas', 'runbooks'].map((dir) => path.join(REPO_ROOT, dir) + path.sep);
let loadedBefore = false;

/**
 * A new deployment's functions start cold: when this process has loaded functions before (an
 * earlier drill), the handler-side modules it holds are dropped, so the functions loaded next get
 * their own SDK clients, caches and retry quotas, as in a process of their own. The drill's own
 * references stay as they are. (Jest's module registry ignores deletes from require.cache: under
 * Jest this changes nothing.)
 */
export function coldStart(): void {
  if (loadedBefore) {
    for (const file of Object.keys(require.cache)) if (HANDLER_SIDE.some((dir) => file.startsWith(dir))) delete require.cache[file];
  }
  loadedBefore = true;
}

let requestSeq = 0;

/** The Lambda context object a function receives. */
export function lambdaContext(fn: DrillFunction): Context {
  const requestId = `drill-${++requestSeq}`;
  return {
    functionName: fn.name, functionVersion: '$LATEST', invokedFunctionArn: fn.arn, memoryLimitInMB: '256',
    awsRequestId: requestId, logGroupName: `/aws/lambda/${fn.name}`, logStreamName: 'drill', callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 30_000, done: () => undefined, fail: () => undefined, succeed: () => undefined,
  };
}
