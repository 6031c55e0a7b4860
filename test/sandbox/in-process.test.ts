/**
 * The drill's HTTP handed over in process (drill/sandbox/in-process.ts): a server's listener reads
 * the request as from its socket, the SDK reads the answer as from its socket, and a connection
 * closed without an answer ends the call as Node.js and the SDK end it.
 */
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { asCaller, CALLER_HEADER, CALLERS_RECORDED, currentCaller } from '../../drill/callers';
import { exchange, forward, handOverSdkCalls, serveInProcess } from '../../drill/sandbox/in-process';
import { startListening } from '../../drill/sandbox/listen';

/** A port nothing listens on: a call that reaches it over a socket fails with ECONNREFUSED. */
const NOWHERE = 'http://127.0.0.1:9';

interface Seen {
  method?: string;
  url?: string;
  headers?: IncomingMessage['headers'];
  body?: string;
}

/** A listener that records the request and answers as DynamoDB's ListTables does. */
function dynamoLike(seen: Seen, answer: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amzn-RequestId': 'r-1' });
  res.end(JSON.stringify({ TableNames: ['ledger'] }));
}): RequestListener {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      Object.assign(seen, { method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      answer(req, res);
    });
  };
}

const client = (endpoint = NOWHERE) => new DynamoDBClient({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });

beforeAll(() => handOverSdkCalls());

test('exchange: the listener reads the method, path, lowercased headers and body; the client gets the status, headers and body it wrote', async () => {
  const seen: Seen = {};
  const out = await exchange(dynamoLike(seen, (_req, res) => {
    res.statusCode = 201;
    res.setHeader('X-One', '1');
    res.write('a');
    res.end('b');
  }), { method: 'POST', url: '/x?y=1', headers: { 'Content-Type': 'text/plain' }, body: 'hello' });

  expect(seen).toEqual({ method: 'POST', url: '/x?y=1', headers: { 'content-type': 'text/plain' }, body: 'hello' });
  expect({ ...out, body: out.body.toString('utf8') }).toEqual({ statusCode: 201, statusMessage: '', headers: { 'x-one': '1' }, body: 'ab' });
});

test('exchange: a connection closed without an answer (the response destroyed, or its socket) is a socket hang up, ECONNRESET', async () => {
  const byResponse = exchange((_req, res) => res.destroy(), { method: 'GET', url: '/', headers: {}, body: undefined });
  await expect(byResponse).rejects.toMatchObject({ message: 'socket hang up', code: 'ECONNRESET' });
  const bySocket = exchange((req) => setTimeout(() => req.socket.destroy(), 1), { method: 'GET', url: '/', headers: {}, body: undefined });
  await expect(bySocket).rejects.toMatchObject({ message: 'socket hang up', code: 'ECONNRESET' });
});

test('an SDK call to a server served in process reaches it without a socket, signed as over one, with the calling function named', async () => {
  const seen: Seen = {};
  const stop = serveInProcess(NOWHERE, dynamoLike(seen));
  const ddb = client();
  try {
    const out = await asCaller('drill-fn', () => ddb.send(new ListTablesCommand({})));
    expect(out.TableNames).toEqual(['ledger']);
    expect(seen).toMatchObject({ method: 'POST', url: '/', body: '{}' });
    expect(seen.headers).toMatchObject({ 'x-amz-target': 'DynamoDB_20120810.ListTables', authorization: expect.stringMatching(/^AWS4-HMAC-SHA256 Credential=a\//) });
    if (CALLERS_RECORDED) expect(seen.headers?.[CALLER_HEADER]).toBe('drill-fn');
  } finally {
    stop();
    ddb.destroy();
  }
});

test('an SDK call whose connection closes without an answer fails as over a socket: TimeoutError, ECONNRESET (which the SDK retries as transient)', async () => {
  const stop = serveInProcess(NOWHERE, (_req, res) => res.destroy());
  const ddb = client();
  try {
    await expect(ddb.send(new ListTablesCommand({}))).rejects.toMatchObject({ name: 'TimeoutError', code: 'ECONNRESET' });
  } finally {
    stop();
    ddb.destroy();
  }
});

test('a server no longer served in process, or never, is reached over its socket', async () => {
  const seen: Seen = {};
  const server = createServer(dynamoLike(seen));
  const url = await startListening(server);
  const ddb = client(url);
  const stop = serveInProcess(url, dynamoLike({}, (_req, res) => res.destroy()));
  stop();
  const gone = client();
  try {
    expect((await ddb.send(new ListTablesCommand({}))).TableNames).toEqual(['ledger']);
    // Over its socket: the server saw the connection Node.js opened.
    expect(seen.headers).toMatchObject({ connection: 'keep-alive', 'x-amz-target': 'DynamoDB_20120810.ListTables' });
    await expect(gone.send(new ListTablesCommand({}))).rejects.toThrow(/ECONNREFUSED 127\.0\.0\.1:9/);
  } finally {
    ddb.destroy();
    gone.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('the server reads a request in a context of its own: what it does for the call is not the calling function\'s', async () => {
  const ddb = client();
  let sandboxSide: string | undefined = 'unset';
  const stop = serveInProcess(NOWHERE, dynamoLike({}, (_req, res) => {
    sandboxSide = currentCaller();
    res.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.0' });
    res.end('{}');
  }));
  try {
    await asCaller('drill-fn', () => ddb.send(new ListTablesCommand({})));
    expect(sandboxSide).toBeUndefined();
  } finally {
    stop();
    ddb.destroy();
  }
});

test('forward: the whole answer of a server served in process, or over its socket when it is not, the same either way', async () => {
  const answer = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(202, { 'X-Seen': 'yes' });
    res.end('done');
  };
  const seenInProcess: Seen = {};
  const seenOverSocket: Seen = {};
  const stop = serveInProcess(NOWHERE, dynamoLike(seenInProcess, answer));
  const server = createServer(dynamoLike(seenOverSocket, answer));
  const url = await startListening(server);
  const request = { method: 'POST', url: '/forwarded?q=1', headers: { 'x-amz-target': 'T.Op' }, body: Buffer.from('{"a":1}') };
  try {
    const inProcess = await forward(NOWHERE, request);
    const overSocket = await forward(url, request);
    for (const [out, seen] of [[inProcess, seenInProcess], [overSocket, seenOverSocket]] as const) {
      expect({ status: out.statusCode, seenHeader: out.headers['x-seen'], body: out.body.toString('utf8') }).toEqual({ status: 202, seenHeader: 'yes', body: 'done' });
      expect(seen).toMatchObject({ method: 'POST', url: '/forwarded?q=1', body: '{"a":1}', headers: expect.objectContaining({ 'x-amz-target': 'T.Op' }) });
    }
    // Only the socket's request carries what Node.js adds to one.
    expect([seenInProcess.headers?.connection, seenOverSocket.headers?.connection]).toEqual([undefined, expect.any(String)]);
  } finally {
    stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
