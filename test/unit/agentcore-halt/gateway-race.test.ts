/**
 * The halt's UpdateGateway against someone's deploy of the same gateway (a pipeline adding an
 * interceptor), at every point among the halt's calls (before each of its GetGateway and
 * UpdateGateway calls is answered: the ledger's own reads and writes are real, so the deploy is
 * placed by the calls AgentCore sees), with or without the halt's answer lost (then the state
 * machine's Retry). UpdateGateway names no revision: the gateway's own status (UPDATING refuses another
 * update) and the halt's read just before its call are what arbitrate. A deploy is overwritten only
 * when it lands between that last read and the call (the one window the API leaves), and the
 * ledger never says the halt took effect when it did not.
 */
import {
  BedrockAgentCoreControlClient, ConflictException, GetGatewayCommand, UpdateGatewayCommand, type UpdateGatewayCommandInput,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { sameValue } from '../../../lambdas/domain/canonical';
import type { Ledger } from '../../../lambdas/shared/ledger';
import { ledgerHarness } from '../../support/ledger-harness';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';

const agentcore = mockClient(BedrockAgentCoreControlClient);
const GW = 'alphaswarm-prod-gateway-k3x9q2w7rt';
const ROLE = 'arn:aws:iam::111122223333:role/gw';
const HALT = 'arn:aws:bedrock-agentcore:sa-east-1:111122223333:policy-engine/halt_deny_all-h7d3s9f2c5';
const SCOPES = { prod: {
  environment: 'prod', gateway: { gatewayId: GW, roleArn: ROLE, haltPolicyEngineArn: HALT }, proxy: { cluster: 'c', service: 's' },
  killSwitch: { baseUrl: 'https://api.example.com', paths: ['/workloads/halt'], secretId: 'x', timeoutSeconds: 5 },
} };
const C0 = { name: 'alphaswarm-prod-gateway', roleArn: ROLE, authorizerType: 'AWS_IAM', protocolType: 'MCP' };
const INTERCEPTOR = [{ interceptor: { lambda: { arn: 'arn:aws:lambda:sa-east-1:111122223333:function:audit' } }, interceptionPoints: ['REQUEST'] }];
let ledger: Ledger;
let handler: (event: unknown, context: typeof lambdaContext) => Promise<unknown>;
let seq = 0;

const harness = ledgerHarness('a', { env: { HALT_SCOPES: JSON.stringify(SCOPES) } });
beforeAll(async () => {
  ledger = harness.ledger;
  handler = (await import('../../../runbooks/agentcore-halt/handlers/gateway')).handler as typeof handler;
});

test('the halt and a deploy of the same gateway, the deploy at any point among the halt\'s calls, the halt\'s answer lost or not', async () => {
  await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 8 }), fc.boolean(), async (deployAt, lostAnswer) => {
    const incidentId = `inc-a${(++seq).toString(16).padStart(15, '0')}`;
    // The gateway as AgentCore holds it: an update replaces the configuration and leaves it UPDATING until a read sees it settle.
    let gateway: { config: Record<string, unknown>; status: string } = { config: C0, status: 'READY' };
    const log: { by: 'halt' | 'deploy'; what: 'read' | 'apply'; replaced?: Record<string, unknown>; sent?: Record<string, unknown> }[] = [];
    const apply = (by: 'halt' | 'deploy', config: Record<string, unknown>) => {
      if (gateway.status !== 'READY') throw new ConflictException({ message: `Gateway is in ${gateway.status} status`, $metadata: { httpStatusCode: 409 } });
      log.push({ by, what: 'apply', replaced: gateway.config, sent: config });
      gateway = { config, status: 'UPDATING' };
    };
    const read = (by: 'halt' | 'deploy') => {
      const seen = { ...gateway };
      if (gateway.status === 'UPDATING') gateway = { ...gateway, status: 'READY' };
      log.push({ by, what: 'read' });
      return seen;
    };
    let lost = lostAnswer;
    let calls = 0;
    // Someone's pipeline: reads the gateway and sends it back with an interceptor added (refused while it is UPDATING),
    // just before AgentCore answers the halt's deployAt-th call.
    const deployMaybe = () => {
      if (calls++ !== deployAt) return;
      const seen = read('deploy');
      try {
        apply('deploy', { ...seen.config, interceptorConfigurations: INTERCEPTOR });
      } catch { /* refused: the pipeline retries later; not this test's party */ }
    };
    agentcore.reset();
    agentcore.on(GetGatewayCommand).callsFake(async () => {
      deployMaybe();
      const seen = read('halt');
      return { ...seen.config, gatewayId: GW, status: seen.status };
    });
    agentcore.on(UpdateGatewayCommand).callsFake(async (input: UpdateGatewayCommandInput) => {
      deployMaybe();
      const { gatewayIdentifier: _id, ...config } = input;
      apply('halt', config as Record<string, unknown>);
      if (lost) {
        lost = false;
        throw Object.assign(new Error('socket hang up (the call was applied)'), { name: 'TimeoutError' });
      }
      return { gatewayId: GW, status: 'UPDATING' };
    });

    // The runbook's step, with the state machine's Retry on what it retries (GatewayBusy, AwsUnavailable).
    let ended = 'done';
    for (let attempt = 1; ; attempt++) {
      try {
        await handler({ incident: incident({ id: incidentId, runbook: 'agentcore-halt', target: 'prod' }), execution: { id: EXECUTION_ARN } }, lambdaContext);
        break;
      } catch (e: unknown) {
        ended = (e as Error).name;
        if (!['GatewayBusy', 'AwsUnavailable', 'AwsThrottled'].includes(ended) || attempt === 6) break;
        ended = 'done';
      }
    }

    const row = await ledger.getAction(incidentId, `block-gateway#bedrock-agentcore:UpdateGateway#${GW}`);
    const haltApplied = log.findIndex((e) => e.by === 'halt' && e.what === 'apply');
    const deployApplied = log.findIndex((e) => e.by === 'deploy' && e.what === 'apply');
    // The halt sends its configuration at most once, and always with the deny-all engine enforced.
    expect(log.filter((e) => e.by === 'halt' && e.what === 'apply').length).toBeLessThanOrEqual(1);
    if (haltApplied >= 0) expect(log[haltApplied]!.sent!.policyEngineConfiguration).toEqual({ arn: HALT, mode: 'ENFORCE' });
    // A deploy applied before the halt's call is kept by it, unless it landed after the halt's last read (the window UpdateGateway leaves).
    if (haltApplied >= 0 && deployApplied >= 0 && deployApplied < haltApplied && log[haltApplied]!.sent!.interceptorConfigurations === undefined) {
      const lastRead = log.slice(0, haltApplied).map((e, i) => (e.by === 'halt' && e.what === 'read' ? i : -1)).reduce((a, b) => Math.max(a, b), -1);
      expect(deployApplied).toBeGreaterThan(lastRead);
    }
    // The row is settled: succeeded only if the halt's call took effect, recording what it replaced; refused (failed) otherwise.
    expect(['succeeded', 'failed']).toContain(row?.status);
    if (row?.status === 'succeeded') {
      expect(haltApplied).toBeGreaterThanOrEqual(0);
      const { replaced } = log[haltApplied]!;
      const windowed = deployApplied >= 0 && deployApplied < haltApplied && log.slice(deployApplied, haltApplied).every((e) => !(e.by === 'halt' && e.what === 'read'));
      if (!windowed) expect(sameValue(row.before, replaced)).toBe(true);
    } else {
      expect(haltApplied).toBe(-1);
      expect(ended).toBe('ChangeRejected');
    }
  }), { numRuns: 150 });
});
