import fc from 'fast-check';
import { gateEntries, gateSettings } from '../../../lambdas/domain/approval-gates';
import type { GateSettings } from '../../../lambdas/domain/approval';

const gate = fc.record({
  severity: fc.constantFrom('P1' as const, 'P2' as const, 'P3' as const, 'P4' as const),
  onTimeout: fc.constantFrom('abort' as const, 'proceed' as const),
  requiredApprovals: fc.integer({ min: 0, max: 5 }),
});

// Keys as the stack writes them: `<runbook>/<step>`, both kebab-case.
const gateKey = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}\/[a-z][a-z0-9-]{0,20}$/);

test('the short form reads back as the very settings it was written from', () => {
  fc.assert(fc.property(fc.dictionary(gateKey, gate), fc.integer({ min: 0, max: 5 }), (gates, required) => {
    expect(gateSettings(JSON.parse(JSON.stringify(gateEntries(gates, required))), required)).toEqual(gates);
  }));
});

test("a gate that aborts on timeout and asks the environment's approvals is its severity alone; any other keeps its settings", () => {
  const gates: Record<string, GateSettings> = {
    'a/usual': { severity: 'P2', onTimeout: 'abort', requiredApprovals: 2 },
    'a/proceeds': { severity: 'P3', onTimeout: 'proceed', requiredApprovals: 2 },
    'a/fewer': { severity: 'P3', onTimeout: 'abort', requiredApprovals: 0 },
  };
  expect(gateEntries(gates, 2)).toEqual({ 'a/usual': 'P2', 'a/proceeds': gates['a/proceeds'], 'a/fewer': gates['a/fewer'] });
});

test('anything else is refused', () => {
  expect(() => gateSettings({ 'a/b': 'P5' }, 1)).toThrow();
  expect(() => gateSettings({ 'a/b': { severity: 'P2', onTimeout: 'abort' } }, 1)).toThrow();
  expect(() => gateSettings(['P2'], 1)).toThrow();
});
