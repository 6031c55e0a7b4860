/**
 * A Jest worker ends a full run with over a gigabyte of heap (V8 grows it rather than collect, with
 * 4.5 GB allowed here), and Node's natural exit frees that heap before the process ends: longer
 * than the 500 ms Jest waits after telling a worker to end, after which Jest prints "A worker
 * process has failed to exit gracefully" and stops it with SIGTERM, though nothing keeps it alive
 * (measured: the worker's 'exit' 1 ms after Jest's end message, the process gone about 620 ms
 * later). process.exit from the last 'exit' listener ends the process without that teardown: the
 * operating system takes the memory back, and the exit code is the one the process was ending with.
 */
type ExitingProcess = Pick<NodeJS.Process, 'on' | 'removeListener' | 'exit'>;

const exitListeners = new WeakMap<ExitingProcess, (code: number) => void>();

/**
 * Makes `proc` end by process.exit once its exit listeners have run. Called at each test file's end,
 * so the listener is moved back to the end of the list: an exit listener added since (a library's)
 * still runs, since none after this one would.
 */
export function endWithoutHeapTeardown(proc: ExitingProcess = process): void {
  let listener = exitListeners.get(proc);
  if (!listener) {
    listener = (code: number) => proc.exit(code);
    exitListeners.set(proc, listener);
  }
  proc.removeListener('exit', listener);
  proc.on('exit', listener);
}
