/**
 * The ASL files are generated: each committed statemachines/<name>.asl.json must be exactly what
 * its source in statemachines/src/ builds (npm run statemachines rewrites them), and valid ASL.
 */
import * as fs from 'node:fs';
import aslValidator from 'asl-validator';
import { buildCatalog, literalArns, undoMachine } from '../../lib/catalog';
import { loadConfig } from '../../lib/config/load';
import { buildAll, MACHINES, STATEMACHINES_DIR, staleness, type Built } from '../../statemachines/src/build';

/** A source that fails the builder's checks fails the first test with its sentences, not the file's loading. */
let built: Built[] = [];
let buildError: unknown;
try {
  built = buildAll();
} catch (e: unknown) {
  buildError = e;
}

test("every source builds and passes the builder's checks", () => {
  expect(buildError).toBeUndefined();
});

test('every ASL file is built from a source, and every definition the catalog deploys is among them', () => {
  const files = fs.readdirSync(STATEMACHINES_DIR).filter((f) => f.endsWith('.asl.json')).sort();
  expect(Object.keys(MACHINES).map((name) => `${name}.asl.json`).sort()).toEqual(files);
  const config = loadConfig('prod');
  const arns = literalArns('aws', 'sa-east-1', '123456789012');
  const deployed = [...buildCatalog(config, arns), undoMachine(config, arns)].map((d) => d.definitionFile);
  expect(files).toEqual(expect.arrayContaining(deployed));
});

describe.each(Object.keys(MACHINES))('%s', (name) => {
  const b = built.find((m) => m.name === name)!;
  test('the committed file is what its source builds (run npm run statemachines after editing the source)', () => {
    expect({ file: `statemachines/${name}.asl.json`, stale: staleness(b) }).toEqual({ file: `statemachines/${name}.asl.json`, stale: undefined });
  });

  test.each(['aws', 'aws-cn', 'aws-us-gov'])('is valid Amazon States Language in the %s partition', (partition) => {
    const { isValid, errorsText } = aslValidator(JSON.parse(b.text.replaceAll('${Partition}', partition)));
    expect(errorsText()).toBe('');
    expect(isValid).toBe(true);
  });
});
