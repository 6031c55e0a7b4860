/**
 * Where `status`, `history` and `approvals` read from: a deployed stack (its ledger table, found by
 * the SSM parameter the stack writes beside the switches, and the switches themselves), or the
 * state the last drill kept (`--local`: drill/kept-state.ts). Both answer with the ledger's items
 * as DynamoDB holds them, so one set of views reads either.
 */
import { GetParametersCommand } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient, GetCommand, paginateScan, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { operatorParameters, switchParameters } from '../../lib/catalog';
import * as path from 'node:path';
import { DRILL_STATE_FILE, drillStateDir, NoKeptState, readKeptState, type KeptState } from '../../drill/kept-state';
import { CliError } from './errors';
import type { DeployedStack } from './stack';

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
}

const isIncidentOrRequest = (item: { pk: string }): boolean => item.pk.startsWith('INCIDENT#') || item.pk.startsWith('APPROVAL#');

/** The requests an incident's approval listings name (`INCIDENT#<id>` / `APPROVAL#<requestId>`). */
const requestIdsOf = (collection: readonly LedgerItem[]): string[] =>
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
    incidentItems: async (incidentId) => {
      const collection = items.filter((i) => i.pk === `INCIDENT#${incidentId}`);
      const requests = new Set(requestIdsOf(collection).map((id) => `APPROVAL#${id}`));
      return [...collection, ...items.filter((i) => requests.has(i.pk) && i.sk === 'REQUEST')];
    },
  };
}

/**
 * The deployed stack's ledger and switches: one batch of SSM reads names the table and gives the
 * switch values; the ledger is read with Scan (an operator's occasional look; the table has no
 * index by status) or, for one incident, Query.
 */
export async function stackSource(stack: DeployedStack): Promise<LedgerSource> {
  const names = switchParameters(stack.config);
  const tableParameter = operatorParameters(stack.config).ledgerTable;
  const values = await readParameters(stack, [tableParameter, names.automation, ...Object.values(names.runbooks)]);
  const ledgerTable = values.get(tableParameter);
  if (!ledgerTable) {
    throw new CliError(`no ${tableParameter} parameter in ${stack.region}: deploy ${stack.stack} there (npx cdk deploy -c env=${stack.env}), or give the --region and --profile it is deployed with`);
  }
  const db = DynamoDBDocumentClient.from(stack.dynamo);
  const switches: SwitchValues = {
    automation: { parameter: names.automation, value: values.get(names.automation) ?? null },
    runbooks: Object.fromEntries(Object.entries(names.runbooks).map(([runbook, parameter]) => [runbook, { parameter, value: values.get(parameter) ?? null }])),
  };
  const reading = `reading the ledger table ${ledgerTable}`;
  return {
    info: { kind: 'stack', environment: stack.env, stack: stack.stack, region: stack.region, ledgerTable },
    consoleRegion: stack.region,
    switches,
    items: () => stack.call(reading, async () => {
      const items: LedgerItem[] = [];
      const pages = paginateScan({ client: db }, {
        TableName: ledgerTable,
        FilterExpression: 'begins_with(pk, :incident) OR begins_with(pk, :approval)',
        ExpressionAttributeValues: { ':incident': 'INCIDENT#', ':approval': 'APPROVAL#' },
      });
      for await (const page of pages) items.push(...((page.Items ?? []) as LedgerItem[]));
      return items;
    }),
    incidentItems: (incidentId) => stack.call(reading, async () => {
      const collection: LedgerItem[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const out = await db.send(new QueryCommand({
          TableName: ledgerTable, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `INCIDENT#${incidentId}` }, ExclusiveStartKey: start,
        }));
        collection.push(...((out.Items ?? []) as LedgerItem[]));
        start = out.LastEvaluatedKey;
      } while (start);
      const requests = await Promise.all(requestIdsOf(collection).map(async (id) =>
        (await db.send(new GetCommand({ TableName: ledgerTable, Key: { pk: `APPROVAL#${id}`, sk: 'REQUEST' } }))).Item as LedgerItem | undefined));
      return [...collection, ...requests.filter((r): r is LedgerItem => r !== undefined)];
    }),
  };
}

/** SSM GetParameters takes ten names a call; a name that does not exist is left out of the map. */
export async function readParameters(stack: DeployedStack, names: readonly string[]): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  for (let i = 0; i < names.length; i += 10) {
    const batch = names.slice(i, i + 10);
    const out = await stack.call(`reading the SSM parameters ${batch.join(', ')}`, () => stack.ssm.send(new GetParametersCommand({ Names: batch })));
    for (const p of out.Parameters ?? []) if (p.Name !== undefined && p.Value !== undefined) values.set(p.Name, p.Value);
  }
  return values;
}
