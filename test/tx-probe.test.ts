import { TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { startDynalite } from './support/dynalite';
test('probe', async () => {
  const d = await startDynalite();
  await d.createLedgerTable('t');
  try {
    await d.client.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: 't', Item: { pk: { S: 'a' }, sk: { S: 'b' } } } }] }));
    console.log('ok');
  } catch (e) { console.log('ERR', (e as Error).name, (e as Error).message); }
  await d.close();
});
