/**
 * How long the sandbox's servers keep an idle connection (drill/sandbox/listen.ts): as long as
 * IDLE_CONNECTION_MS, not Node.js's 5 s, so a client's pooled socket is not closed under it after a
 * pause. A server says so to a keep-alive client, in the answer's Keep-Alive header.
 */
import { Agent, request } from 'node:http';
import { startDynamo } from '../../drill/sandbox/dynamodb';
import { ownPort, SharedPort } from '../../drill/sandbox/listen';

/** The Keep-Alive header a keep-alive GET of `url` is answered with. */
async function keepAliveOf(url: string): Promise<string | undefined> {
  const agent = new Agent({ keepAlive: true });
  try {
    return await new Promise((resolve, reject) => {
      request(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.headers['keep-alive']?.toString()));
      }).on('error', reject).end();
    });
  } finally {
    agent.destroy();
  }
}

/** What a server keeping idle connections 60 s says (Node.js's default: timeout=5). */
const kept = 'timeout=60';
const answer = (_req: unknown, res: { end(body: string): void }) => res.end('ok');

test('a server on a port of its own, or on a shared port, keeps idle connections 60 s', async () => {
  const own = await ownPort()(answer);
  const shared = await SharedPort.open();
  const onShared = await shared.listen(answer);
  try {
    expect(await keepAliveOf(own.url)).toBe(kept);
    expect(await keepAliveOf(onShared.url)).toBe(kept);
  } finally {
    await own.close();
    await onShared.close();
  }
});

test('the drill\'s DynamoDB (dynalite) keeps them as long', async () => {
  const dynamo = await startDynamo();
  try {
    expect(await keepAliveOf(dynamo.endpoint)).toBe(kept);
  } finally {
    await dynamo.close();
  }
});
