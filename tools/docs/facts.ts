/**
 * What the generated docs say about a runbook, read from the registry and the environments'
 * config: never written by hand, so a page cannot drift from what deploys.
 */
import { approvalGates, buildCatalog, contextOf, literalArns, runbookConfig, type AnyRunbook } from '../../lib/catalog';
import { loadConfig } from '../../lib/config/load';
import type { EnvironmentConfig } from '../../lib/config/schema';

/** The environments a team deploys, in promotion order (the drill's own config is not one). */
export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** ARNs as the docs print them: placeholders a reader recognises. */
const DOC_ARNS = literalArns('aws', '<region>', '<account>');

export interface EnvironmentFacts {
  readonly enabled: boolean;
  readonly dryRun: boolean;
  readonly targets: readonly string[];
  /** Each gated step: distinct approvers needed, its severity (how long each level waits), and what a timeout does. */
  readonly gates: readonly { readonly step: string; readonly approvals: number; readonly severity: string; readonly onTimeout: string }[];
}

export interface RunbookFacts {
  readonly environments: Readonly<Record<Environment, EnvironmentFacts>>;
  /** Its Lambda functions, as the stack names and describes them. */
  readonly functions: readonly { readonly id: string; readonly description: string }[];
  /** Every AWS action its functions and its state machine may call (from the same source as their IAM policies). */
  readonly actions: readonly string[];
  /** The calls the undo puts back, or none. */
  readonly reversible: readonly string[];
}

const configs = new Map<Environment, EnvironmentConfig>();
function configOf(env: Environment): EnvironmentConfig {
  let config = configs.get(env);
  if (!config) configs.set(env, (config = loadConfig(env)));
  return config;
}

function environmentFacts(m: AnyRunbook, env: Environment): EnvironmentFacts {
  const config = configOf(env);
  const own = runbookConfig(config, m);
  const gates = Object.entries(approvalGates(config))
    .filter(([key]) => key.startsWith(`${m.name}/`))
    .map(([key, g]) => ({ step: key.slice(m.name.length + 1), approvals: g.requiredApprovals, severity: g.severity, onTimeout: g.onTimeout }));
  return { enabled: own.enabled, dryRun: own.dryRun ?? config.dryRun, targets: m.targets(own), gates };
}

/** Functions and actions are read from prod's config (enabled there if it is not): the environment a team reviews most. */
function deployedAs(m: AnyRunbook): Pick<RunbookFacts, 'functions' | 'actions'> {
  const config = configOf('prod');
  const def = buildCatalog({ ...config, runbooks: { ...config.runbooks, [m.name]: { ...runbookConfig(config, m), enabled: true } } }, DOC_ARNS).find((d) => d.name === m.name);
  if (!def) throw new Error(`${m.name}: not in the catalog built from config/prod.json`);
  const permissions = [...def.handlers.flatMap((h) => h.permissions), ...(def.stateMachinePermissions ?? [])];
  return {
    functions: def.handlers.map((h) => ({ id: h.id, description: h.description })),
    actions: [...new Set(permissions.flatMap((p) => p.actions))].sort(),
  };
}

export function runbookFacts(m: AnyRunbook): RunbookFacts {
  const environments = Object.fromEntries(ENVIRONMENTS.map((env) => [env, environmentFacts(m, env)])) as Record<Environment, EnvironmentFacts>;
  const prod = configOf('prod');
  const reversible = m.undo ? m.undo(contextOf(m, prod, DOC_ARNS)).map((c) => c.operation) : [];
  return { environments, ...deployedAs(m), reversible: [...new Set(reversible)] };
}

/** "restore: 2 approvers (P2)" per gate; "no gate" where it acts at once; "off" where disabled. */
export function gatesInWords(facts: EnvironmentFacts, options: { withUndo?: boolean } = {}): string {
  if (!facts.enabled) return 'off';
  const gates = facts.gates.filter((g) => options.withUndo || g.step !== 'undo');
  const words = gates.length === 0 ? 'no gate' : gates.map((g) => `${g.step}: ${g.approvals === 0 ? 'auto-approved' : `${g.approvals} approver${g.approvals > 1 ? 's' : ''}`}`).join('; ');
  return facts.dryRun ? `${words} (dry run)` : words;
}

