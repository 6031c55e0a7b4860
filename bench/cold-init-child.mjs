// One cold start, in a fresh Node.js process: import the bundle (module load, as Lambda's init
// phase does), then call its handler once with an empty payload, which input validation rejects
// before any AWS call. Then import the SDK modules the bundle loads only at their first call (the
// arguments after the bundle): what an invocation that calls all of them adds, cold, to its first
// call. Prints {loadMs, firstCallMs, deferredMs} as one JSON line.
import { performance } from 'node:perf_hooks';

const [bundle, ...deferred] = process.argv.slice(2);
const t0 = performance.now();
const mod = await import(bundle);
const t1 = performance.now();
const context = {
  functionName: 'bench', functionVersion: '$LATEST', memoryLimitInMB: '256', awsRequestId: 'bench-cold-init',
  invokedFunctionArn: 'arn:aws:lambda:sa-east-1:111122223333:function:bench', logGroupName: '/aws/lambda/bench', logStreamName: 'bench',
  callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 30_000, done() {}, fail() {}, succeed() {},
};
try {
  await mod.handler({}, context);
} catch {
  // Rejected input is the expected answer.
}
const t2 = performance.now();
for (const specifier of deferred) await import(specifier);
const t3 = performance.now();
process.stdout.write(`${JSON.stringify({ loadMs: t1 - t0, firstCallMs: t2 - t1, deferredMs: t3 - t2 })}\n`);
