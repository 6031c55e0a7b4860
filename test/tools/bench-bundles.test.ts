import * as fs from 'node:fs';
import { bundleAll, commonInitSdk, type Bundle } from '../../bench/bundles';
import { importColdMs, importOnlyModule } from '../../bench/cold-init';
import { benchHandlers } from '../../bench/handlers';

const ENTRIES = ['lambdas/undo/restore.ts', 'runbooks/lambda-runaway/handlers/stop.ts'];
/** The two handlers these tests read, built in one esbuild run as the bench builds them all. */
const built = bundleAll(ENTRIES.map((entry) => benchHandlers().find((h) => h.entry === entry)!), 'runtime-sdk');

// The bench's bundle figures read esbuild's metafile: the bundle's own output, not its source map's.
test('npm run bench: a bundle as deployed has its source map beside it, and its figures come from the bundle', async () => {
  const [restore] = await built;
  expect(restore!.entry).toBe('lambdas/undo/restore.ts');

  expect(fs.existsSync(`${restore!.file}.map`)).toBe(true);
  expect(restore!.bytes).toBe(fs.statSync(restore!.file).size);
  expect(restore!.top).toHaveLength(3);
  expect(restore!.top.every((m) => m.bytes > 0)).toBe(true);
  // The undo restores any runbook's change: it loads each service's client at its first call, not at init.
  expect(restore!.deferredSdk).toEqual(expect.arrayContaining(['@aws-sdk/client-dynamodb', '@aws-sdk/client-lambda']));
});

test("npm run bench: a bundle's SDK modules at init are its static imports; those it loads at a first call are not among them", async () => {
  const [, stop] = await built;
  expect(stop!.entry).toBe('runbooks/lambda-runaway/handlers/stop.ts');
  // The ledger's client, at init; Lambda's, at the first stop (lambdas/aws/lambda.ts).
  expect(stop!.initSdk).toEqual(['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb', '@aws-sdk/util-dynamodb']);
  expect(stop!.deferredSdk).toContain('@aws-sdk/client-lambda');
  expect(stop!.initSdk).not.toContain('@aws-sdk/client-lambda');
});

test('npm run bench: the SDK floor is the set of init modules most bundles share, with how many share it', () => {
  const bundle = (initSdk: string[]) => ({ initSdk }) as unknown as Bundle;
  const ledger = ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb'];
  expect(commonInitSdk([bundle(ledger), bundle([]), bundle(['@aws-sdk/client-ssm']), bundle([...ledger]), bundle([]), bundle([])])).toEqual({ modules: ledger, handlers: 2 });
  expect(commonInitSdk([bundle([]), bundle([])])).toEqual({ modules: [], handlers: 0 });
});

test('npm run bench: the floor imports exactly the modules named, in a fresh process, and fails on one that does not resolve', async () => {
  expect(importOnlyModule(['@aws-sdk/util-dynamodb', '@aws-sdk/lib-dynamodb'])).toBe(
    'import "@aws-sdk/util-dynamodb";\nimport "@aws-sdk/lib-dynamodb";\nexport const handler = async () => undefined;\n',
  );
  await expect(importColdMs(['@aws-sdk/util-dynamodb'], 1)).resolves.toBeGreaterThan(0);
  await expect(importColdMs(['@aws-sdk/client-that-does-not-exist'], 1)).rejects.toThrow(/client-that-does-not-exist/);
});
