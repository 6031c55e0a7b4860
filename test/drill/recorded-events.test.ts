import * as fs from 'node:fs';
import * as path from 'node:path';
import { runbookTargets } from '../../lib/catalog';
import { loadConfig } from '../../lib/config/load';
import { runDrill } from './run-drill';

const ROOT = path.join(__dirname, '..', '..');
const list = (dir: string): string[] => fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? list(path.join(dir, e.name)) : [path.join(dir, e.name)]);

test('every recorded event is handled or cleanly rejected, in one sandbox, and only configured targets are touched', async () => {
  const files = list('events').filter((f) => f.endsWith('.json') && !path.basename(f).startsWith('malformed'));
  const { code, stderr, results } = await runDrill([...files.flatMap((f) => ['--event', f]), '--json']);
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  expect(results).toHaveLength(files.length);
  const configured = new Set([
    ...Object.values(runbookTargets(loadConfig('drill'))).flat(),
    '/alphaswarm/prod/llm_model_preference',
    loadConfig('drill').runbooks['model-drift'].tradingSwitch.parameterName,
    // Not named, but tagged runbook-autopilot:allow=true (config/drill.json targetTags).
    'cabruca-segmentation-prod-annotator-agent',
    'alphaswarm-cluster-prod/alphaswarm-agentcore-proxy-prod',
    // database-recovery restarts the configured services that use its database.
    ...loadConfig('drill').runbooks['database-recovery'].targets.flatMap((t) => t.services.map((s) => `${s.clusterName}/${s.serviceName}`)),
    // agentcore-halt's target is an environment: it changes that environment's gateway and POSTs its kill-switch endpoints.
    ...loadConfig('drill').runbooks['agentcore-halt'].targets.flatMap((t) => [t.gateway.gatewayId, ...t.killSwitch.paths]),
    // The configured functions' aliases (lambda-errors-rollback rolls back an alias, "function:alias").
    ...loadConfig('drill').runbooks['lambda-errors-rollback'].targets.map((t) => `${t.functionName}:${t.alias}`),
  ]);
  // workflow-stuck redrives an execution of a configured state machine; model-drift starts one of its retraining workflow.
  const workflows = new Set([
    ...loadConfig('drill').runbooks['workflow-stuck'].targets.map((t) => t.stateMachineName),
    loadConfig('drill').runbooks['model-drift'].retraining.stateMachineName,
  ]);
  const executionOfConfigured = (target: string) => workflows.has(/:execution:([^:]+):[^:]+$/.exec(target)?.[1] ?? '');
  for (const r of results) {
    expect(['remediated', 'skipped', 'escalated', 'rejected', 'failed']).toContain(r.outcome);
    expect(r.outcome).not.toBe('failed');
    for (const a of r.actions) {
      if (!executionOfConfigured(a.target)) expect(configured).toContain(a.target);
      expect(a.auditedBeforeCall).toBe(true);
    }
  }
  // The unlisted, untagged function's alarm is refused at admit, before anything changes it.
  const foreign = results.find((r) => r.input.endsWith('unconfigured-target.alarm.json'));
  expect(foreign).toMatchObject({ outcome: 'rejected', runbook: 'lambda-runaway', actions: [] });
});
