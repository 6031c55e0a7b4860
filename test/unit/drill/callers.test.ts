import * as http from 'node:http';
import type * as Callers from '../../../drill/callers';

/** A copy of drill/callers.ts of its own, as another test file (or a module registry reset) loads it. */
function loadCopy(): typeof Callers {
  let copy: typeof Callers | undefined;
  jest.isolateModules(() => {
    copy = jest.requireActual<typeof Callers>('../../../drill/callers');
  });
  return copy!;
}

/** The caller headers set on one request opened through `copy`, as `caller` or outside any drill function (the request is never sent). */
function headersSetFor(copy: typeof Callers, caller?: string): unknown[][] {
  const setHeader = jest.spyOn(http.ClientRequest.prototype, 'setHeader');
  const open = () => {
    const request = http.request({ host: '127.0.0.1', port: 9, method: 'POST' });
    request.on('error', () => undefined);
    request.destroy();
  };
  try {
    if (caller === undefined) open();
    else copy.asCaller(caller, open);
    return setHeader.mock.calls.filter(([name]) => name === copy.CALLER_HEADER);
  } finally {
    setHeader.mockRestore();
  }
}

test('a request opened as a drill function carries its name, once, however many copies of the module the process has loaded', () => {
  const copies = [loadCopy(), loadCopy(), loadCopy()];
  expect(copies[0]!.CALLERS_RECORDED).toBe(true);
  for (const [i, copy] of copies.entries()) {
    expect(headersSetFor(copy, `fn-${i}`)).toEqual([[copy.CALLER_HEADER, `fn-${i}`]]);
    // Any copy reads the caller any other copy runs as: one store per process.
    expect(copies[(i + 1) % copies.length]!.asCaller(`fn-${i}`, () => copy.currentCaller())).toBe(`fn-${i}`);
  }
});

test('a request opened outside any drill function carries no caller', () => {
  expect(headersSetFor(loadCopy())).toEqual([]);
});
