/** The state a drill keeps for `autopilot --local` (drill/kept-state.ts). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NoKeptState, readKeptState, writeKeptState, type KeptState } from '../../../drill/kept-state';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kept-state-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const STATE: KeptState = {
  version: 1, writtenAt: '2026-11-03T03:20:00.000Z', environment: 'drill', region: 'sa-east-1', account: '111122223333', ledgerTable: 'ledger',
  switches: { automation: { parameter: '/a', value: 'enabled' }, runbooks: { r: { parameter: '/a/runbooks/r', value: null } } },
  ledger: [{ pk: 'HISTORY#r#t', sk: 'META', incidentIds: new Set(['inc-b', 'inc-a']) }],
};

test('written whole and read back; a DynamoDB set is kept as its sorted members', () => {
  const file = writeKeptState(dir, STATE);

  expect(file).toBe(path.join(dir, 'state.json'));
  expect(fs.readdirSync(dir)).toEqual(['state.json']);
  expect(readKeptState(dir)).toEqual({ ...STATE, ledger: [{ pk: 'HISTORY#r#t', sk: 'META', incidentIds: ['inc-a', 'inc-b'] }] });
});

test('a file that is not a drill state (another version, cut short) is said in one sentence', () => {
  fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify({ ...STATE, ledger: undefined, version: 2 }));
  expect(() => readKeptState(dir)).toThrow(new NoKeptState(`${path.join(dir, 'state.json')} is not a drill state this version reads: run npm run drill again`));
  fs.writeFileSync(path.join(dir, 'state.json'), '{"version": 1, "ledg');
  expect(() => readKeptState(dir)).toThrow(NoKeptState);
});
