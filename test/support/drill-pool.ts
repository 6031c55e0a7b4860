/**
 * Runs `npm run drill -- <args>` in a few long-lived drill processes (drill-worker.ts), each
 * taking one run at a time: the same command, its output and exit code, a new account and ledger
 * each run, without a process's start-up each time. A run is bounded from the moment a worker takes
 * it (RUN_LIMIT_MS), never while it waits for a worker.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const WORKER = path.join(__dirname, 'drill-worker.ts');
// The pinned Node.js 24 the npm scripts use, whatever Node runs jest: the drill names the function
// behind each call only on Node.js 22.12 and later (drill/callers.ts).
const NODE = path.join(ROOT, 'node_modules', '.bin', 'node');

/** One run's own time, far beyond any run's (a few seconds): a run still going then is stuck. */
export const RUN_LIMIT_MS = 5 * 60_000;
/** Drill processes: the two cores. */
const DEFAULT_SIZE = 2;

export interface CommandRun {
  readonly args: readonly string[];
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

interface Job {
  readonly id: number;
  readonly args: readonly string[];
  readonly resolve: (run: CommandRun) => void;
}

interface Worker {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  job?: Job;
  timer?: NodeJS.Timeout;
}

/** A worker keeps the test process alive while it runs something, never while idle. */
function held(child: ChildProcess, running: boolean): void {
  const channel = child.channel as unknown as { ref?: () => void; unref?: () => void } | undefined;
  if (running) {
    child.ref();
    channel?.ref?.();
  } else {
    child.unref();
    channel?.unref?.();
  }
}

export class DrillPool {
  private readonly queue: Job[] = [];
  private readonly workers = new Set<Worker>();
  private nextId = 0;

  constructor(private readonly size = DEFAULT_SIZE) {}

  /** `npm run drill -- <args>`: resolves with its exit code and output (never rejects). */
  run(args: readonly string[]): Promise<CommandRun> {
    return new Promise((resolve) => {
      this.queue.push({ id: ++this.nextId, args, resolve });
      this.dispatch();
    });
  }

  /**
   * Stops the drill processes (a run still going ends as killed), once they have exited. Each is
   * held while it stops: an idle process is unref'd, and a wait on unref'd processes alone lets
   * Node.js exit with code 0 in the middle of Jest's teardown, before Jest writes its results.
   */
  async close(): Promise<void> {
    const exited = [...this.workers].map((w) => new Promise<void>((resolve) => {
      if (w.child.exitCode !== null || w.child.signalCode !== null) return resolve();
      held(w.child, true);
      w.child.once('exit', () => resolve());
    }));
    for (const w of this.workers) w.child.kill();
    this.workers.clear();
    await Promise.all(exited);
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let idle = [...this.workers].find((w) => !w.job);
      if (!idle && this.workers.size < this.size) idle = this.spawn();
      if (!idle) return;
      this.assign(idle, this.queue.shift()!);
    }
  }

  private assign(worker: Worker, job: Job): void {
    worker.job = job;
    held(worker.child, true);
    void worker.ready.then(() => {
      if (worker.job !== job) return;
      worker.timer = setTimeout(() => this.end(worker, { code: 1, stdout: '', stderr: `drill: still running after ${RUN_LIMIT_MS / 1000} s of its own: killed\n` }, true), RUN_LIMIT_MS);
      worker.child.send({ id: job.id, args: job.args });
    });
  }

  private spawn(): Worker {
    const child = fork(WORKER, [], {
      cwd: ROOT, execPath: NODE, execArgv: ['--import', 'tsx'], serialization: 'advanced',
      env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    let started: () => void = () => undefined;
    const worker: Worker = { child, ready: new Promise<void>((resolve) => (started = resolve)) };
    child.on('message', (message: { ready?: true; id?: number; code?: number; stdout?: string; stderr?: string }) => {
      if (message.ready) started();
      else if (worker.job && message.id === worker.job.id) this.end(worker, { code: message.code ?? 1, stdout: message.stdout ?? '', stderr: message.stderr ?? '' }, false);
    });
    child.on('exit', (code, signal) => {
      this.workers.delete(worker);
      if (worker.job) this.end(worker, { code: 1, stdout: '', stderr: `drill: the drill process exited (${signal ?? code}) during the run\n` }, false);
      this.dispatch();
    });
    held(child, false);
    this.workers.add(worker);
    return worker;
  }

  private end(worker: Worker, outcome: Omit<CommandRun, 'args'>, kill: boolean): void {
    const job = worker.job;
    if (!job) return;
    clearTimeout(worker.timer);
    worker.job = undefined;
    held(worker.child, false);
    if (kill) {
      this.workers.delete(worker);
      worker.child.kill();
    }
    job.resolve({ args: job.args, ...outcome });
    this.dispatch();
  }
}
