/**
 * An alarm a team routes by its name (to page a person with the procedure, or to the emergency
 * stop) starts that runbook only: the metric rules of the other runbooks leave it out, whatever
 * metric it watches. Routed through the very patterns the stack deploys and the drill matches.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertEventPatternSizes, literalArns, runbookRulePatterns } from '../../../lib/catalog';
import { loadConfig } from '../../../lib/config/load';
import { matchesPattern } from '../../../lambdas/domain/event-pattern';

const EVENT = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'events', 'lambda-runaway.alarm.json'), 'utf8')) as { detail: { alarmName: string } };
const config = loadConfig('drill');
const arns = literalArns('aws', config.region, '111122223333');
const routed = (c: typeof config) => Object.entries(runbookRulePatterns(c, arns)).filter(([, patterns]) => patterns.some((p) => matchesPattern(p, EVENT))).map(([name]) => name);

test("a configured function's concurrency alarm starts lambda-runaway, by its metric", () => {
  expect(routed(config)).toEqual(['lambda-runaway']);
});

test('the same alarm routed by its name to page-on-call starts page-on-call only', () => {
  const named = structuredClone(config);
  (named.runbooks['page-on-call'] as { alarms: Record<string, string> }).alarms[EVENT.detail.alarmName] = 'pod-crashes';
  expect(routed(named)).toEqual(['page-on-call']);
  // Every other alarm of that metric still reaches lambda-runaway.
  const other = structuredClone(EVENT);
  other.detail.alarmName = 'cabruca-segmentation-prod-researcher-agent-concurrency-high';
  expect(Object.entries(runbookRulePatterns(named, arns)).filter(([, p]) => p.some((x) => matchesPattern(x, other))).map(([n]) => n)).toEqual(['lambda-runaway']);
});

test.each(['dev', 'staging', 'prod', 'drill'])('%s: every pattern the stack deploys fits EventBridge\'s 2,048 characters', (env) => {
  expect(() => assertEventPatternSizes(loadConfig(env))).not.toThrow();
});

test('alarms routed by name beyond what a metric rule can leave out fail the synth, naming the rule', () => {
  const many = structuredClone(config);
  const alarms = (many.runbooks['page-on-call'] as { alarms: Record<string, string> }).alarms;
  for (let i = 0; i < 60; i++) alarms[`alphaswarm-prod-team-alarm-routed-by-name-${String(i).padStart(3, '0')}`] = 'pod-crashes';
  expect(() => assertEventPatternSizes(many)).toThrow(/^lambda-runaway's trigger rule 1's event pattern would be \d+ characters, over EventBridge's 2048/);
});
