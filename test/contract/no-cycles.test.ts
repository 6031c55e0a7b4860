/**
 * No import circles in the source folders and the tests: each file's imports, read with the TypeScript compiler,
 * form no loop (type-only imports included: they still tie two files together). A circle is
 * named file by file, so it can be broken at the right place.
 */
import { CIRCLE_DIRS, importCircles, importGraph } from './import-graph';

test('the source files and the tests import each other in no circle', () => {
  expect(importGraph(CIRCLE_DIRS).size).toBeGreaterThan(importGraph().size + 100);
  const circles = importCircles().map((c) => `import circle: ${c.join(' -> ')}`);
  expect(circles).toEqual([]);
});
