/** `status`, `history` and `approvals`: what the ledger and the switches say, of a deployed stack or of the last drill. */
import { CliError, usageError } from './errors';
import { runbookNames, type Output } from './output';
import { renderApprovals, renderHistory, renderIncident, renderStatus } from './render';
import type { Settings } from './settings';
import { drillSource, type LedgerItem, type LedgerSource } from './source';
import { historyView, incidentDetail, statusView, waiting } from './views';

const INCIDENT_ID = /^inc-[0-9a-f]{16}$/;

/** The last drill's state, or a deployed stack (its SDK clients, config and runbook modules loaded only then). */
export async function openSource(settings: Settings): Promise<LedgerSource> {
  if (settings.kind === 'local') return drillSource(settings.stateDir);
  const [{ stackSource }, { openStack }] = await Promise.all([import('./stack-source'), import('./stack')]);
  return stackSource(openStack(settings));
}

export async function status(settings: Settings): Promise<Output> {
  const source = await openSource(settings);
  const view = statusView(source.info, await source.items(), source.switches, source.consoleRegion);
  return { data: view, text: renderStatus(view) };
}

/**
 * One incident's ledger rows as DynamoDB holds them: its record, actions and approval listings, and
 * its approval requests. What `history <incident>` shows, and what a post-incident report is built from.
 */
export async function incidentRows(settings: Settings, incidentId: string): Promise<{ source: LedgerSource; rows: LedgerItem[] }> {
  const source = await sourceFor(settings, incidentId);
  const rows = await source.incidentItems(incidentId);
  if (!rows.some((r) => r.sk === 'META')) throw noIncident(source, incidentId);
  return { source, rows };
}

/** The source to read one incident from, once its id is one (a usage error otherwise, before anything is read). */
async function sourceFor(settings: Settings, incidentId: string): Promise<LedgerSource> {
  if (!INCIDENT_ID.test(incidentId)) throw usageError(`not an incident id: ${JSON.stringify(incidentId)} (inc-<16 hex digits>, as in a notification and the ledger)`);
  return openSource(settings);
}

const noIncident = (source: LedgerSource, incidentId: string) =>
  new CliError(`no incident ${incidentId} in the ledger (${source.info.kind === 'stack' ? source.info.ledgerTable : source.info.file})`);

export async function history(settings: Settings, o: { incident?: string; limit: string; runbook?: string }): Promise<Output> {
  const limit = Number(o.limit);
  if (!/^\d+$/.test(o.limit) || limit < 1 || limit > 1000) throw usageError(`--limit ${o.limit}: a whole number from 1 to 1000`);
  if (o.runbook !== undefined && !(await runbookNames()).includes(o.runbook)) {
    throw usageError(`unknown runbook "${o.runbook}" (known: ${(await runbookNames()).join(', ')})`);
  }
  if (o.incident !== undefined) {
    const { source, rows } = await incidentRows(settings, o.incident);
    const detail = incidentDetail(rows, o.incident, source.consoleRegion)!;
    return { data: detail, text: renderIncident(source.info, detail) };
  }
  const source = await openSource(settings);
  const entries = historyView(await source.items(), source.consoleRegion, { limit, ...(o.runbook !== undefined ? { runbook: o.runbook } : {}) });
  return { data: { source: source.info, incidents: entries }, text: renderHistory(source.info, entries) };
}

export async function approvals(settings: Settings, o: { as?: string }): Promise<Output> {
  const source = await openSource(settings);
  const open = waiting(await source.items(), source.consoleRegion, o.as);
  return { data: { source: source.info, waiting: open }, text: renderApprovals(source.info, open, o.as) };
}

/**
 * `report <incident>`: its post-incident report, built by the same function the report step runs
 * (lambdas/domain/incident-report.ts) from what the ledger holds now, whether or not it has ended.
 */
export async function report(settings: Settings, incidentId: string): Promise<Output> {
  const source = await sourceFor(settings, incidentId);
  const rows = await source.reportRows(incidentId);
  if (!rows) throw noIncident(source, incidentId);
  const [{ buildIncidentReport }, { MODULES }] = await Promise.all([import('../../lambdas/domain/incident-report'), import('../../lib/catalog')]);
  const hardRules = MODULES.find((m) => m.name === rows.incident.runbook)?.hardRules ?? {};
  const markdown = buildIncidentReport(rows, { hardRules });
  return { data: { incidentId, status: rows.incident.status, report: markdown }, text: markdown.trimEnd().split('\n') };
}
