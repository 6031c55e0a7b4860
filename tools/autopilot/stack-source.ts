/** A deployed stack as a LedgerSource: its ledger table, found by the SSM parameter the stack writes beside the switches, and the switches. */
import { GetParametersCommand } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient, GetCommand, paginateScan, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ReportRecords } from '../../lambdas/report/records';
import { operatorParameters, switchParameters } from '../../lib/catalog';
import { CliError } from './errors';
import { requestIdsOf, type LedgerItem, type LedgerSource, type SwitchValues } from './source';
import type { DeployedStack } from './stack';

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
    reportRows: (incidentId) => stack.call(reading, () => new ReportRecords(ledgerTable, stack.dynamo).rows(incidentId)),
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
    const out = await stack.call(`reading the SSM parameter ${batch[0]}${batch.length > 1 ? ` and ${batch.length - 1} more` : ''}`, () => stack.ssm.send(new GetParametersCommand({ Names: batch })));
    for (const p of out.Parameters ?? []) if (p.Name !== undefined && p.Value !== undefined) values.set(p.Name, p.Value);
  }
  return values;
}
