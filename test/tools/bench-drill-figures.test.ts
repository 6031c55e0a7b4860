import { peopleWaitMs } from '../../bench/drill-figures';
import type { ExecutionRecord } from '../../drill/executor';

const state = (type: string, name: string, timestamp: number) => ({ type, timestamp, state: { name, type: 'Task' } });
const invocation = (name: string, startedMs: number, endedMs: number, payload: unknown) => ({ state: name, functionName: 'f', payload, startedMs, endedMs });

// The engine overhead the bench prints leaves out what people take: a gated step's wait after its request answered.
test('npm run bench: the time a gated step waits for people is its request\'s answer to the step\'s end, and only that', () => {
  const record = {
    events: [
      state('StateEntered', 'Read', 0), state('StateExited', 'Read', 20),
      state('StateEntered', 'Ask to acknowledge', 20), state('StateFailed', 'Ask to acknowledge', 180), state('StateCaught', 'Ask to acknowledge', 181),
      state('StateEntered', 'Ask to acknowledge', 190), state('StateExited', 'Ask to acknowledge', 300),
    ],
    invocations: [
      invocation('Read', 1, 19, { incident: {} }),
      // Two levels asked: each request answers, then people (or the deadline) end the step.
      invocation('Ask to acknowledge', 21, 40, { taskToken: 'token-1' }),
      invocation('Ask to acknowledge', 191, 200, { taskToken: 'token-2' }),
    ],
  } as unknown as ExecutionRecord;

  expect(peopleWaitMs(record)).toBe((180 - 40) + (300 - 200));
  expect(peopleWaitMs({ ...record, invocations: record.invocations.slice(0, 1) })).toBe(0);
});
