/**
 * A drill process for the test suite: runs `npm run drill -- <args>` (drill/command.ts) again and
 * again, one run at a time, as the pool (drill-pool.ts) hands them over IPC. Each run is a new
 * drill: a new account, ledger and approval pages, each function initialized at its first call,
 * on the ports this process keeps. What a run prints is captured and sent back with its exit code, as a process of its own
 * would have printed it, without a process's start-up (Node.js, TypeScript, the SDK) each time.
 */
import { runDrillCommand } from '../../drill/command';

interface Request {
  readonly id: number;
  readonly args: readonly string[];
}

/** Sends what is written to a stream to `sink` instead, until the returned function is called. */
function capture(stream: NodeJS.WriteStream, sink: string[]): () => void {
  const write = stream.write;
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    sink.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const done = rest.find((r): r is () => void => typeof r === 'function');
    done?.();
    return true;
  }) as typeof stream.write;
  return () => {
    stream.write = write;
  };
}

async function run({ id, args }: Request): Promise<void> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const restore = [capture(process.stdout, stdout), capture(process.stderr, stderr)];
  let code: number;
  try {
    code = await runDrillCommand(args);
  } finally {
    for (const r of restore) r();
  }
  process.send?.({ id, code, stdout: stdout.join(''), stderr: stderr.join('') });
}

let queue = Promise.resolve();
process.on('message', (request: Request) => {
  queue = queue.then(() => run(request));
});
process.send?.({ ready: true });
