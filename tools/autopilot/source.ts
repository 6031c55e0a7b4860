/**
 * Where `status`, `history` and `approvals` read from: a deployed stack (stack-source.ts), or the
 * state the last drill kept (`--local`: drill/kept-state.ts). Both answer with the ledger's items
 * as DynamoDB holds them, so one set of views reads either.
 */
import * as path from 'node:path';
import { DRILL_STATE_FILE, drillStateDir, NoKeptState, readKeptState, type KeptState } from '../../drill/kept-state';
import type { IncidentRows } from '../../lambdas/domain/incident-report';
import { incidentRowsFrom } from '../../lambdas/report/records';
import { CliError } from './errors';

/** A ledger item as DynamoDB holds it: its keys and the record's own fields. */
export type LedgerItem = Readonly<Record<string, unknown>> & { readonly pk: string; readonly sk: string };
export type SwitchValues = KeptState['switches'];

export type SourceInfo =
  | { readonly kind: 'stack'; readonly environment: string; readonly stack: string; readonly region: string; readonly ledgerTable: string }
  | { readonly kind: 'drill'; readonly environment: string; readonly file: string; readonly writtenAt: string };

export interface LedgerSource {
  readonly info: SourceInfo;
  /** Where an execution's console link points; null for the drill's sandbox, which has no console. */
  readonly consoleRegion: string | null;
  readonly switches: SwitchValues;
  /** Every incident's items and every approval request (the other keys: cooldowns, caps, histories, are left out). */
  items(): Promise<LedgerItem[]>;
  /** One incident's collection (its record, actions and approval listings) and its approval requests. */
  incidentItems(incidentId: string): Promise<LedgerItem[]>;
  /** What an incident's post-incident report is built from, read as the report step reads it; undefined when there is no such incident. */
  reportRows(incidentId: string): Promise<IncidentRows | undefined>;
}

const isIncidentOrRequest = (item: { pk: string }): boolean => item.pk.startsWith('INCIDENT#') || item.pk.startsWith('APPROVAL#');

/** The requests an incident's approval listings name (`INCIDENT#<id>` / `APPROVAL#<requestId>`). */
export const requestIdsOf = (collection: readonly LedgerItem[]): string[] =>
  collection.filter((i) => i.sk.startsWith('APPROVAL#')).map((i) => i.sk.slice('APPROVAL#'.length));

/** The last drill's ledger and switches, as it kept them. */
export function drillSource(stateDir?: string): LedgerSource {
  const dir = drillStateDir(stateDir);
  let state: KeptState;
  try {
    state = readKeptState(dir);
  } catch (e: unknown) {
    if (e instanceof NoKeptState) throw new CliError(e.message);
    throw e;
  }
  const items = state.ledger as LedgerItem[];
  return {
    info: { kind: 'drill', environment: state.environment, file: path.join(dir, DRILL_STATE_FILE), writtenAt: state.writtenAt },
    consoleRegion: null,
    switches: state.switches,
    items: async () => items.filter(isIncidentOrRequest),
    reportRows: async (incidentId) => incidentRowsFrom(items, incidentId),
    incidentItems: async (incidentId) => {
      const collection = items.filter((i) => i.pk === `INCIDENT#${incidentId}`);
      const requests = new Set(requestIdsOf(collection).map((id) => `APPROVAL#${id}`));
      return [...collection, ...items.filter((i) => requests.has(i.pk) && i.sk === 'REQUEST')];
    },
  };
}
