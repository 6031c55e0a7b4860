import * as fs from 'node:fs';
import { bundleAll } from '../../bench/bundles';
import { benchHandlers } from '../../bench/handlers';

// The bench's bundle figures read esbuild's metafile: the bundle's own output, not its source map's.
test('npm run bench: a bundle as deployed has its source map beside it, and its figures come from the bundle', async () => {
  const restore = benchHandlers().find((h) => h.entry === 'lambdas/undo/restore.ts');
  expect(restore).toBeDefined();

  const [built] = await bundleAll([restore!], 'runtime-sdk');

  expect(fs.existsSync(`${built!.file}.map`)).toBe(true);
  expect(built!.bytes).toBe(fs.statSync(built!.file).size);
  expect(built!.top).toHaveLength(3);
  expect(built!.top.every((m) => m.bytes > 0)).toBe(true);
  // The undo restores any runbook's change: it loads each service's client at its first call, not at init.
  expect(built!.deferredSdk).toEqual(expect.arrayContaining(['@aws-sdk/client-dynamodb', '@aws-sdk/client-lambda']));
});
