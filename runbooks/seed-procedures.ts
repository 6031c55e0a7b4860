/**
 * The seed runbooks' procedures and seed 004's alert response matrix, one entry each: what a
 * platform team's on-call does by hand today. A runbook module says which of them it answers
 * (`answers`); an entry no module answers says what happens instead and why. The alert coverage
 * matrix (docs/alert-matrix.md, `npm run docs`) is generated from this list and the registry, and
 * the contract suite checks that every entry is answered or explained, never both.
 */

export type Seed = '000' | '001' | '002' | '003' | '004';

/** Why no runbook answers a procedure. */
export type Unautomated =
  /** No machine should act: the right human is paged with the procedure in hand. */
  | { readonly kind: 'page-only'; readonly why: string }
  /** Outside what an AWS remediation can or should do (another platform, a deploy pipeline's job). */
  | { readonly kind: 'not-automated'; readonly why: string }
  /** Not in the catalog yet: `planned` names what will answer it. */
  | { readonly kind: 'not-yet'; readonly planned: string };

export interface SeedProcedure {
  readonly seed: Seed;
  /** As the seed names it (seed 004: the alert's name in its response matrix). */
  readonly title: string;
  /** Seed 004's severity for the alert. */
  readonly severity?: 'Critical' | 'High' | 'Medium';
  /** Seed 004's "First Response", or the gist of the seed's steps. */
  readonly response: string;
  /** Absent when a runbook answers it. */
  readonly unautomated?: Unautomated;
  /**
   * Done by what every runbook's state machine shares (the spine), not by one module: what does
   * it, with a link from docs/ (the alert matrix shows it as answered by every runbook).
   */
  readonly everyRunbook?: string;
  /**
   * The seed's steps, as the seed writes them (its commands and comments, shortened where it
   * repeats itself): what a page-only procedure's page carries, so the person paged has the
   * procedure in hand.
   */
  readonly steps?: readonly string[];
}

/** Each runbook's last step writes the incident's report from the ledger (statemachines/src/spine, docs/reports.md). */
const REPORT = 'the incident report its last step writes from the ledger to `incidents/<yyyy-mm-dd>-<runbook>-<target>.md`: trigger, admission, diagnosis, actions, approvals, verification, undo, escalations, blast radius and follow-ups ([reports](reports.md))';

export const SEED_PROCEDURES = {
  // Seed 004: TradAI's alert response matrix, in its order.
  'service-unhealthy': { seed: '004', title: 'Service Unhealthy', severity: 'High', response: 'Check CloudWatch logs, force redeploy if needed' },
  'lambda-errors': { seed: '004', title: 'Lambda Errors', severity: 'Medium', response: 'Check Lambda logs, verify configuration' },
  'model-drift-detected': { seed: '004', title: 'Model Drift Detected', severity: 'Medium', response: 'Assess PSI severity, consider pause' },
  'significant-drift': { seed: '004', title: 'Significant Drift (PSI > 0.25)', severity: 'High', response: 'Pause trading, trigger retraining' },
  'stale-heartbeat': { seed: '004', title: 'Stale Heartbeat', severity: 'High', response: 'Check ECS task, restart if needed' },
  'position-stuck': {
    seed: '004', title: 'Position Stuck', severity: 'Critical', response: 'Manual intervention, contact exchange',
    unautomated: { kind: 'page-only', why: 'a position is closed by a person who can talk to the exchange; nothing in the account fixes it' },
    steps: [
      'Seed 004 "Position Stuck" (Critical), runbook Trading Issues: manual intervention, contact exchange.',
      'Escalation path: L1 on-call engineer (initial response, follow runbook), L2 senior engineer (complex issues, architecture decisions), L3 platform team (infrastructure, AWS issues).',
    ],
  },
  'nat-instance-down': {
    seed: '004', title: 'NAT Instance Down', severity: 'High', response: 'Check instance health, failover',
    steps: [
      'Seed 004 "NAT Instance Down" (High), runbook Infrastructure Issues: check instance health, failover.',
      'Check instance health: the page lists the instance\'s status checks and scheduled events. A failed system check is its host (a stop and start moves it to healthy hardware); a failed instance check is the instance itself (its OS, disk or network configuration).',
      'Failover: the page lists the route tables that send traffic through the instance and the subnets that lose egress; point their default route at a healthy NAT (aws ec2 replace-route --route-table-id <rtb> --destination-cidr-block 0.0.0.0/0 --nat-gateway-id <nat> or --instance-id <instance>), then check the subnets reach the internet again.',
      'Escalation path: L1 on-call engineer (initial response, follow runbook), L2 senior engineer (complex issues, architecture decisions), L3 platform team (infrastructure, AWS issues).',
    ],
  },
  'rds-connectivity': {
    seed: '004', title: 'RDS Connectivity', severity: 'High', response: 'Check security groups, VPC endpoints',
    unautomated: {
      kind: 'page-only',
      why: 'the fix is a security group rule or a VPC endpoint, changed through infrastructure code, never by a runbook; and no AWS event or metric names the broken path for one to read. With the database itself available (database-recovery verifies that after a failover), a person checks the network path',
    },
  },
  'database-failover': { seed: '004', title: 'Database Failover', severity: 'High', response: 'Check RDS events, verify connections' },
  'connection-pool-exhausted': { seed: '004', title: 'Connection Pool Exhausted', severity: 'High', response: 'Restart services, check max_connections' },
  'credential-exposure': { seed: '004', title: 'Credential Exposure', severity: 'Critical', response: 'Rotate immediately, audit access' },
  'unauthorized-access': {
    seed: '004', title: 'Unauthorized Access', severity: 'Critical', response: 'Isolate resource, review CloudTrail',
    steps: [
      'Seed 004 "Unauthorized Access" (Critical), runbook Security Incidents: isolate resource, review CloudTrail.',
      'Review CloudTrail: the page lists the denied calls behind the alarm, per caller (principal, source address, calls, first and last time); look up everything each unknown caller did, allowed calls too (CloudTrail Event history by user name or access key).',
      'Isolate resource: for a caller that is not yours, cut its credentials (an IAM user\'s access key: credential-exposure deactivates it; a role\'s sessions: revoke its active sessions) and isolate what it reached; a caller that is yours was denied by a policy: fix the policy through infrastructure code.',
      'Escalation path: L1 on-call engineer (initial response, follow runbook), L2 senior engineer (complex issues, architecture decisions), L3 platform team (infrastructure, AWS issues).',
    ],
  },
  'high-api-latency': { seed: '004', title: 'High API Latency', severity: 'Medium', response: 'Check metrics, identify bottleneck' },
  'ecs-memory-high': { seed: '004', title: 'ECS Memory High', severity: 'Medium', response: 'Scale service or increase task memory' },
  'function-timeouts': { seed: '004', title: 'Lambda Timeouts', severity: 'Medium', response: 'Increase timeout, check dependencies' },
  'failed-workflow': { seed: '004', title: 'Workflow Stuck/Failed', severity: 'High', response: 'Check Step Functions history, trace via DynamoDB' },

  // Seed 000: AlphaSwarm on AWS.
  'kill-switch-fan-out': { seed: '000', title: 'On-call checklist: fan-out kill switch', response: 'POST /portfolio/kill_switch and /workloads/halt when trading is touched' },
  'halt-agentcore': { seed: '000', title: 'Halt every AgentCore session', response: 'Gateway DISABLED, the proxy ECS service to desired count 0, audit row first' },
  'roll-back-to-previous-tag': { seed: '000', title: 'Roll back to the previous tag', response: 'Tag the previous good SHA and apply it (2 reviewers)' },
  'ecs-fargate-service-down': { seed: '000', title: 'ECS Fargate service down', response: 'Read the last 10 service events and stopped tasks, tail the logs, force a new deployment' },
  'drain-celery-worker': {
    seed: '000', title: 'Drain a Celery worker (EKS path)', response: 'Annotate the pod, wait for in-flight tasks, Karpenter replaces it',
    unautomated: { kind: 'page-only', why: 'a Kubernetes pod annotation and a wait for in-flight tasks, not an AWS API call: a person on the cluster drains the worker; the workers scale through scale-out' },
    steps: [
      'Annotate the pod for graceful shutdown (the Celery preboot hook in alphaswarm/tasks/celery_app.py listens for it): kubectl annotate pod alphaswarm-worker-xxxxx -n alphaswarm alphaswarm.io/drain-requested-at="$(date -u +%Y-%m-%dT%H:%M:%SZ)"',
      'Wait for the worker to finish in-flight tasks (max grace = ALPHASWARM_AGENT_STALL_THRESHOLD_SECONDS, default 1800s): kubectl wait --for=delete pod alphaswarm-worker-xxxxx -n alphaswarm --timeout=1900s',
      'Karpenter replaces the deleted pod automatically; the new pod inherits the same Celery queue subscriptions.',
    ],
  },
  'break-glass': {
    seed: '000', title: 'Assume the break-glass role', response: 'A human signs in to the break-glass permission set and records the session',
    unautomated: { kind: 'not-automated', why: 'break-glass is a person taking admin rights on purpose; a machine must never do it' },
  },
  'break-glass-assumed': {
    seed: '000', title: 'The break-glass role alarms on every assumption', response: 'Page a person with who assumed it, from where, when and the session',
    unautomated: { kind: 'page-only', why: 'the break-glass role is a person taking admin rights on purpose: every assumption is told to a person, who checks it is the incident it should be, and nothing is changed' },
    steps: [
      'Seed 000 "Assume the break-glass role": reserved for catastrophic incidents (org-wide outage, suspected account compromise); the AlphaSwarm-BreakGlass Identity Center permission set has Admin across every account, MFA-required, and alarms on every assumption.',
      'Match this assumption to an open incident and its on-call ticket (IAM Identity Center -> Sign in -> Pick AlphaSwarm-BreakGlass for the target account -> Acknowledge the on-call ticket prompt before the assume completes).',
      'The person who assumed it runs aws sts get-caller-identity and pastes the breakglass session ARN into the incident ticket: it must be the session this page names.',
      'No incident, no ticket, or a session nobody claims: treat it as a suspected account compromise (seed 004 "Unauthorized Access": isolate the resource, review CloudTrail for what the session did).',
    ],
  },
  'rotate-origin-secret': { seed: '000', title: 'Rotate Cloudflare origin secret', response: 'New SecureString value, re-apply the CloudFront module' },
  'common-failure-modes': {
    seed: '000', title: 'Common failure modes + fixes', response: 'Wait and retry, fix IAM or provider versions, re-deploy with the right settings',
    unautomated: { kind: 'not-automated', why: 'each fix is a change to infrastructure code, made through the deploy pipeline' },
  },
  'cost-guardrails': { seed: '000', title: 'Cost guardrails', response: 'When Bedrock tokens drive a budget alarm: the cheaper model for 24 h, redeploy the agent proxy' },

  // Seed 001: AlphaSwarm on Kubernetes.
  'pod-crashes': {
    seed: '001', title: 'Scenario A: single pod crashes', response: 'Describe the pod, read its previous logs, rolling restart',
    unautomated: { kind: 'page-only', why: 'Kubernetes: describe, logs and a rolling restart are kubectl work a person does; on ECS the same procedure is answered (ECS Fargate service down)' },
    steps: [
      'Identify the crashing pod: kubectl get pods -n alphaswarm -l app=alphaswarm-core | findstr CrashLoop',
      'Inspect: kubectl describe pod -n alphaswarm <pod-name>; kubectl logs -n alphaswarm <pod-name> --previous',
      'Rolling restart of the deployment (HPA + PDB keep the service up): kubectl rollout restart -n alphaswarm deployment/alphaswarm-core',
    ],
  },
  'hpa-thrashing': {
    seed: '001', title: 'Scenario B: HPA thrashing', response: 'Read the HPA decisions, widen its stabilization window',
    unautomated: { kind: 'page-only', why: 'a Kubernetes HorizontalPodAutoscaler patch, not an AWS API call, after a person finds the runaway task in the worker logs' },
    steps: [
      'The HPA is scaling rapidly up + down, never stabilising. Check its recent decisions: kubectl describe hpa -n alphaswarm alphaswarm-core',
      'Most common cause: a runaway query or backtest that spikes CPU then crashes back. Check the audit log for recent task starts: kubectl logs -n alphaswarm deploy/alphaswarm-worker --tail=500 | findstr "started\\|finished\\|FAILED"',
      'Mitigation: temporarily widen the HPA stabilizationWindow: kubectl patch hpa -n alphaswarm alphaswarm-core --type=\'json\' -p=\'[{"op":"replace","path":"/spec/behavior/scaleUp/stabilizationWindowSeconds","value":300}]\'',
    ],
  },
  'queue-depth': { seed: '001', title: 'Scenario C: Celery queue depth alarm', response: 'Inspect the active tasks, scale the workers to 8' },
  'jwks-503': { seed: '001', title: 'Scenario D: Auth0 JWKS returns 503', response: 'Permissive mode for read-only routes, the revert scheduled as a P1' },
  'ingress-503': {
    seed: '001', title: 'Scenario E: Ingress returns 503', response: 'Check the ingress controller and the service endpoints',
    unautomated: { kind: 'page-only', why: 'reading the NGINX ingress controller is Kubernetes work; empty endpoints point at a readiness fault a person must find' },
    steps: [
      'Check NGINX Ingress controller: kubectl -n ingress-nginx get pods; kubectl -n ingress-nginx logs deploy/ingress-nginx-controller --tail=200',
      'Check service endpoints: kubectl get endpoints -n alphaswarm alphaswarm-client; kubectl get endpoints -n alphaswarm-admin alphaswarm-cp',
      "If endpoints are empty, the pods aren't passing readinessProbe.",
    ],
  },
  'stateful-failover': { seed: '001', title: 'Scenario F: stateful service failover', response: 'Restart the Postgres or Redis pod; in prod, a managed database fails over itself' },
  'post-incident': { seed: '001', title: 'Post-incident report', response: 'incidents/<yyyy-mm-dd>-<slug>.md: timeline, blast radius, root cause, fixes, follow-ups', everyRunbook: REPORT },

  // Seed 002: AlphaSwarm CI/CD.
  'deploy-pipeline': {
    seed: '002', title: '(a)-(g) Environments, deploys, releases and their approvals', response: 'Plan, review, apply through GitHub Actions; 0/1/2 reviewers for dev/staging/prod',
    unautomated: { kind: 'not-automated', why: 'deploys belong to the pipeline; the autopilot takes its approval policy (0/1/2 distinct approvers) from it' },
  },
  'deploy-rollback': { seed: '002', title: '(h) Rollback', response: 'Re-point the deploy at the prior immutable image tag (prod: 2 reviewers)' },

  // Seed 003: Cabruca multi-agent (Lambda, DynamoDB, S3).
  'agent-lambda-errors': { seed: '003', title: '§1 Agent Lambda function errors', response: 'Read logs and error metrics; quick rollback to the previous code' },
  'table-throttling': { seed: '003', title: '§2 DynamoDB throttling', response: 'Switch to on-demand; back up, then clear stuck pending tasks' },
  's3-access': { seed: '003', title: '§3 S3 access issues', response: 'Check bucket policy, versioning, the execution role; fix permissions' },
  'runaway-lambda': { seed: '003', title: '§4 High Lambda costs / runaway executions', response: 'Reserved concurrency 0 at once, then a conservative 5' },
  'agentops-connection': { seed: '003', title: '§5 AgentOps connection issues', response: 'Verify the API key on each agent function; update it' },
  'duration-near-timeout': { seed: '003', title: 'Key metrics: Duration > 80% of timeout', response: 'Alert; raise the timeout or fix the slow dependency' },
  'post-incident-review': { seed: '003', title: 'Post-incident review', response: 'Timeline, root cause analysis, actions taken, impact', everyRunbook: REPORT },
} as const satisfies Record<string, SeedProcedure>;

export type SeedProcedureId = keyof typeof SEED_PROCEDURES;
