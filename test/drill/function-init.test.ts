/**
 * A drill function initializes as Lambda does: at its first invocation, with its own environment,
 * once; a drill loads only the functions its events reach (drill/handlers.ts).
 */
import type { Context } from 'aws-lambda';
import type { HandlerDef } from '../../runbooks/kit';
import { loadFunction } from '../../drill/handlers';

const def = (entry: string): HandlerDef => ({
  id: 'Counted', substitution: 'CountedArn', entry, description: 'counts its inits', usesLedger: false, environment: {}, permissions: [],
});
const context = {} as Context;
const inits = () => (globalThis as { countedInits?: number }).countedInits ?? 0;

test('a function is loaded at its first invocation with its environment, and once', async () => {
  const before = inits();
  const fn = loadFunction(def('test/drill/fixtures/functions/counted.ts'), 'counted', 'arn:aws:lambda:sa-east-1:111122223333:function:counted', { GREETING: 'hello' });
  expect(inits()).toBe(before);

  expect(await fn.handler({ n: 1 }, context)).toEqual({ greeting: 'hello', event: { n: 1 } });
  expect(await fn.handler({ n: 2 }, context)).toEqual({ greeting: 'hello', event: { n: 2 } });
  expect(inits()).toBe(before + 1);
  // The environment is the function's own, not left behind in the process.
  expect(process.env.GREETING).toBeUndefined();
});

test("a module that exports no handler fails the function's invocation, not the drill's start", async () => {
  const fn = loadFunction(def('test/drill/fixtures/functions/no-handler.ts'), 'broken', 'arn:aws:lambda:sa-east-1:111122223333:function:broken', {});
  await expect(fn.handler({}, context)).rejects.toThrow('test/drill/fixtures/functions/no-handler.ts exports no handler');
  expect(() => fn.init()).toThrow('exports no handler');
});
