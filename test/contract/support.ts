/**
 * What the contract suite reads of the registered runbooks: each module with its name, the
 * environments' configs and the catalog built from them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AwsCallReceived } from '../../drill/drill';
import type { DrillResult } from '../../drill/result';
import { MODULES, type AnyRunbook } from '../../lib/catalog';
import { CONFIG_DIR } from '../../lib/config/load';

export const ROOT = path.join(__dirname, '..', '..');

/** Each registered runbook, as [name, module], for describe.each. */
export const EACH_RUNBOOK: readonly [string, AnyRunbook][] = MODULES.map((m) => [m.name, m]);

/** The environments config/ holds. */
export const ENVIRONMENTS = fs.readdirSync(CONFIG_DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length)).sort();

export const exists = (file: string) => fs.existsSync(path.join(ROOT, file));

/** A drill result with the AWS calls its input led to (--calls). */
export type RunResult = DrillResult & { readonly calls: readonly AwsCallReceived[] };

/** The drill's name for a handler's function, as calls name their caller. */
export const drillFunctionName = (handlerId: string) => `runbook-autopilot-drill-${handlerId}`;
