/**
 * A Jest worker ends a full run with over a gigabyte of heap (V8 grows it rather than collect, with
 * 4.5 GB allowed here), and Node's natural exit frees that heap before the process ends: longer
 * than the 500 ms Jest waits after telling a worker to end, after which Jest prints "A worker
 * process has failed to exit gracefully" and stops it with SIGTERM, though nothing keeps it alive
 * (measured: the worker's 'exit' 1 ms after Jest's end message, the process gone about 620 ms
 * later). process.exit, once every exit listener has run, ends the process without that teardown:
 * the operating system takes the memory back.
 */
type ExitingProcess = Pick<NodeJS.Process, 'on' | 'listeners' | 'exit' | 'exitCode'>;

/**
 * Whether `proc` is one of Jest's worker processes, forked with a channel to Jest (jest-worker's
 * children), rather than Jest's own process running the files in band, which ends as it always has.
 */
export function isJestWorker(proc: Pick<NodeJS.Process, 'send'> = process): boolean {
  return typeof proc.send === 'function';
}

const installed = new WeakSet<ExitingProcess>();

/**
 * Makes `proc` end by process.exit once its exit listeners have run, with the exit code they leave.
 * Listeners added after this one still run first: this one calls them, then exits. (Jest run in
 * band sets a failed run's exit code from an exit listener it adds at the end of the run.)
 */
export function endWithoutHeapTeardown(proc: ExitingProcess = process): void {
  if (installed.has(proc)) return;
  installed.add(proc);
  const listener = (code: number): void => {
    const all = proc.listeners('exit') as ((code: number) => void)[];
    for (const later of all.slice(all.indexOf(listener) + 1)) later(code);
    proc.exit(proc.exitCode ?? code);
  };
  proc.on('exit', listener);
}
