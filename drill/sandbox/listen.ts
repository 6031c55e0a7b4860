import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveInProcess } from './in-process';

/**
 * How long a server keeps an idle keep-alive connection. Node's default, 5 s, races the SDK's
 * agent: a client that sends on a socket the server is closing at that moment gets ECONNRESET,
 * and a pool of such sockets after a pause of more than 5 s (a storm's second round) fails calls
 * AWS's endpoints would have answered. Closing the server closes idle connections at once.
 */
export const IDLE_CONNECTION_MS = 60_000;

/**
 * Starts `server` listening on `port` of `host` (a random loopback port by default), keeping idle
 * connections IDLE_CONNECTION_MS: the URL it answers on. Every server of the drill and its tests
 * (the sandbox's, dynalite's) listens through here.
 */
export async function startListening(server: Server, port = 0, host = '127.0.0.1'): Promise<string> {
  server.keepAliveTimeout = IDLE_CONNECTION_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return `http://${host}:${(server.address() as AddressInfo).port}`;
}

/** A server's requests, from the moment it listens until close(). */
export interface Listening {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  close(): Promise<void>;
}

/** How a server takes its requests: a loopback port of its own, or a port it shares (SharedPort). */
export type Listen = (handler: RequestListener) => Promise<Listening>;

/** Ends a server that listens (startListening) and is served in process (`unserve` ends that): its open connections too. */
function stopListening(server: Server, unserve: () => void): Promise<void> {
  unserve();
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** A random loopback port of the server's own, closed with it (open connections too). */
export const ownPort = (port = 0, host = '127.0.0.1'): Listen => async (handler) => {
  const server = createServer(handler);
  const url = await startListening(server, port, host);
  const unserve = serveInProcess(url, handler);
  return { url, close: () => stopListening(server, unserve) };
};

/**
 * A loopback port that one server after another takes, one at a time, in the same process. An SDK
 * client keeps the endpoint it resolved at its first call, as a warm Lambda keeps its clients: a
 * second sandbox in a process must answer on the first one's port. Between servers the port's idle
 * connections are closed, and a request nobody serves is dropped. It never keeps the process alive.
 */
export class SharedPort {
  private handler: RequestListener | undefined;

  private constructor(private readonly server: Server, readonly url: string, private readonly unserve: () => void) {}

  static async open(): Promise<SharedPort> {
    let shared: SharedPort | undefined;
    const serve: RequestListener = (req, res) => {
      if (shared?.handler) shared.handler(req, res);
      else res.destroy();
    };
    const server = createServer(serve);
    server.on('connection', (socket) => socket.unref());
    const url = await startListening(server);
    server.unref();
    shared = new SharedPort(server, url, serveInProcess(url, serve));
    return shared;
  }

  /**
   * Closes the ports for good (a process that drills no more): all of them, or none while a server
   * of this process has any of them.
   */
  static async closeAll(ports: readonly SharedPort[]): Promise<void> {
    const taken = ports.find((p) => p.handler);
    if (taken) throw new Error(`${taken.url} is taken by a server of this process: close it first`);
    for (const p of ports) await stopListening(p.server, p.unserve);
  }

  readonly listen: Listen = async (handler) => {
    if (this.handler) throw new Error(`${this.url} is taken by another server of this process: close it first`);
    this.handler = handler;
    return {
      url: this.url,
      close: async () => {
        if (this.handler === handler) this.handler = undefined;
        this.server.closeIdleConnections();
      },
    };
  };
}
