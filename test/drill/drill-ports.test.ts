/**
 * One drill after another in a process (the test run's drill processes run hundreds): each takes
 * the process's ports in turn (drill/sandbox/listen.ts), so the functions' SDK clients, which keep
 * the endpoint they first resolved, reach the new account, not a closed one.
 */
import { Drill, releaseDrillPorts } from '../../drill/drill';
import { readInputFile } from '../../drill/inputs';
import { releaseDrillPortsAtFileEnd } from '../support/release-drill-ports';

releaseDrillPortsAtFileEnd(releaseDrillPorts);

const EVENT = 'events/lambda-runaway.alarm.json';

test('a second drill in the process answers on the same ports, with a new account and ledger', async () => {
  const first = await Drill.start();
  const url = first.sandbox.url;
  try {
    expect((await first.handle(readInputFile(EVENT))).outcome).toBe('remediated');
  } finally {
    await first.close();
  }
  const second = await Drill.start();
  try {
    expect(second.sandbox.url).toBe(url);
    // The function is running again in the new account, so the same event acts again (not a duplicate, not "already stopped").
    const r = await second.handle(readInputFile(EVENT));
    expect(r.outcome).toBe('remediated');
    expect(r.actions[0]).toMatchObject({ operation: 'lambda:PutFunctionConcurrency', status: 'succeeded', after: 0 });
  } finally {
    await second.close();
  }
});

test('a drill that fails to start leaves the ports to the next one', async () => {
  await expect(Drill.start({ faults: [{ service: 'lambda', operation: 'NoSuchOperation', error: 'throttling' }] })).rejects.toThrow(/does not model lambda:NoSuchOperation/);
  const next = await Drill.start();
  try {
    expect((await next.handle(readInputFile(EVENT))).outcome).toBe('remediated');
  } finally {
    await next.close();
  }
});

test('two drills at once in a process are refused: the ports are taken', async () => {
  const first = await Drill.start();
  try {
    await expect(Drill.start()).rejects.toThrow(/is taken by another server of this process/);
  } finally {
    await first.close();
  }
});

test("released, the process's ports are closed; refused while a drill holds them (the file's last test: its drills' clients keep these ports)", async () => {
  const drill = await Drill.start();
  const url = drill.sandbox.url;
  try {
    await expect(releaseDrillPorts()).rejects.toThrow(/is taken by a server of this process: close it first/);
    // Refused, it closed nothing: the drill still answers.
    expect((await drill.handle(readInputFile(EVENT))).outcome).toBe('remediated');
  } finally {
    await drill.close();
  }
  await releaseDrillPorts();
  await expect(fetch(url)).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });
});
