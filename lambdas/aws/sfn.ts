import type { HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import { ChangeRejected, classifyAwsError, hasErrorName, TargetNotFound } from '../shared/errors';
import { readsAndMutations } from '../shared/lazy-sdk';
import { sfnSdk } from '../shared/sdk-modules';

/** One caller's Step Functions clients, made at their first call. */
export const sfnClients = (reads?: SFNClient, mutations?: SFNClient) =>
  readsAndMutations(sfnSdk, (m, settings) => new m.SFNClient(settings), reads, mutations);

/** An execution as DescribeExecution shows it (the fields a runbook reads; dates ISO). */
export interface ExecutionView {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: string;
  readonly startDate: string | null;
  readonly stopDate: string | null;
  readonly error: string | null;
  readonly cause: string | null;
  /** 0, then one more per redrive that started. */
  readonly redriveCount: number;
  readonly redriveDate: string | null;
  /** REDRIVABLE, NOT_REDRIVABLE or REDRIVABLE_BY_MAP_RUN; null when Step Functions does not say. */
  readonly redriveStatus: string | null;
  readonly redriveStatusReason: string | null;
}

/** An execution as ListExecutions lists it (dates ISO). */
export interface ExecutionListed {
  readonly executionArn: string;
  readonly name: string;
  readonly status: string;
  readonly startDate: string | null;
  readonly stopDate: string | null;
}

/** One page of an execution's history. */
export interface HistoryPage {
  readonly events: readonly HistoryEvent[];
  readonly nextToken?: string;
}

const iso = (d: Date | undefined): string | null => (d ? d.toISOString() : null);

/** A closed or running execution's result, its output included (DescribeExecution with its data). */
export interface ExecutionResult {
  readonly executionArn: string;
  readonly name: string;
  readonly status: string;
  readonly startDate: string | null;
  readonly stopDate: string | null;
  /** JSON text, once it SUCCEEDED. */
  readonly output: string | null;
  readonly error: string | null;
  readonly cause: string | null;
}

/** The ARN of a state machine's execution of this name. */
export const executionArnOf = (stateMachineArn: string, name: string): string => `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

/** Executions read per ListExecutions page, and pages read at most: a workflow with more running is not one to start again. */
const LIST_PAGE = 100;
const LIST_PAGES = 10;

/** Step Functions executions of the workflows a runbook watches (not this system's own: the runbook refuses those). */
export class WorkflowClient {
  /** RedriveExecution: no SDK retry (see mutation-client.ts); the client token makes the state machine's Retry safe. */
  private readonly clients: ReturnType<typeof sfnClients>;

  constructor(sfn?: SFNClient, mutations?: SFNClient) {
    this.clients = sfnClients(sfn, mutations);
  }

  async describe(executionArn: string): Promise<ExecutionView> {
    try {
      const { m, client } = await this.clients.reads.get();
      const out = await client.send(new m.DescribeExecutionCommand({ executionArn, includedData: 'METADATA_ONLY' }));
      return {
        executionArn, stateMachineArn: out.stateMachineArn ?? '', name: out.name ?? '', status: out.status ?? 'UNKNOWN',
        startDate: iso(out.startDate), stopDate: iso(out.stopDate), error: out.error ?? null, cause: out.cause ?? null,
        redriveCount: out.redriveCount ?? 0, redriveDate: iso(out.redriveDate),
        redriveStatus: out.redriveStatus ?? null, redriveStatusReason: out.redriveStatusReason ?? null,
      };
    } catch (e: unknown) {
      throw this.mapError(e, executionArn, 'DescribeExecution');
    }
  }

  /** One page of the history, newest first, without the states' inputs and outputs (they may hold data nobody should page). */
  async historyPage(executionArn: string, pageSize: number, nextToken?: string): Promise<HistoryPage> {
    try {
      const { m, client } = await this.clients.reads.get();
      const out = await client.send(new m.GetExecutionHistoryCommand({
        executionArn, reverseOrder: true, includeExecutionData: false, maxResults: pageSize, ...(nextToken ? { nextToken } : {}),
      }));
      return { events: out.events ?? [], ...(out.nextToken ? { nextToken: out.nextToken } : {}) };
    } catch (e: unknown) {
      throw this.mapError(e, executionArn, 'GetExecutionHistory');
    }
  }

  /** A state machine's most recent executions, newest first: one page of ListExecutions. */
  async recent(stateMachineArn: string, maxResults: number): Promise<ExecutionListed[]> {
    return (await this.listPage(stateMachineArn, { maxResults })).executions;
  }

  /** The execution with its output (DescribeExecution with its data): how a workflow ended, and what it returned. */
  async result(executionArn: string): Promise<ExecutionResult> {
    try {
      const { m, client } = await this.clients.reads.get();
      const out = await client.send(new m.DescribeExecutionCommand({ executionArn, includedData: 'ALL_DATA' }));
      return {
        executionArn, name: out.name ?? '', status: out.status ?? 'UNKNOWN', startDate: iso(out.startDate), stopDate: iso(out.stopDate),
        output: out.output ?? null, error: out.error ?? null, cause: out.cause ?? null,
      };
    } catch (e: unknown) {
      throw this.mapError(e, executionArn, 'DescribeExecution');
    }
  }

  /** A state machine's running executions, newest first (ListExecutions, paged, bounded). */
  async running(stateMachineArn: string): Promise<ExecutionListed[]> {
    const found: ExecutionListed[] = [];
    await this.list(stateMachineArn, 'RUNNING', (page) => {
      found.push(...page);
      return false;
    });
    return found;
  }

  /**
   * The execution of this name, if it started at or after `since` (ListExecutions newest first,
   * read until it is found or the executions are older); null when there is none.
   */
  async startedSince(stateMachineArn: string, name: string, since: Date): Promise<ExecutionListed | null> {
    let found: ExecutionListed | null = null;
    await this.list(stateMachineArn, undefined, (page) => {
      found = page.find((x) => x.name === name) ?? null;
      return found !== null || page.some((x) => x.startDate !== null && Date.parse(x.startDate) < since.getTime());
    });
    return found;
  }

  /** ListExecutions a page at a time, newest first, until `enough` says so or the pages allowed are read. */
  private async list(stateMachineArn: string, statusFilter: 'RUNNING' | undefined, enough: (page: ExecutionListed[]) => boolean): Promise<void> {
    let nextToken: string | undefined;
    for (let page = 0; page < LIST_PAGES; page++) {
      const out = await this.listPage(stateMachineArn, { maxResults: LIST_PAGE, ...(statusFilter ? { statusFilter } : {}), ...(nextToken ? { nextToken } : {}) });
      nextToken = out.nextToken;
      if (enough(out.executions) || !nextToken) return;
    }
  }

  /** One page of ListExecutions, newest first; a state machine that does not exist is TargetNotFound. */
  private async listPage(
    stateMachineArn: string, page: { maxResults: number; statusFilter?: 'RUNNING'; nextToken?: string },
  ): Promise<{ executions: ExecutionListed[]; nextToken?: string }> {
    try {
      const { m, client } = await this.clients.reads.get();
      const out = await client.send(new m.ListExecutionsCommand({ stateMachineArn, ...page }));
      return {
        executions: (out.executions ?? []).map((e) => ({
          executionArn: e.executionArn ?? '', name: e.name ?? '', status: e.status ?? 'UNKNOWN', startDate: iso(e.startDate), stopDate: iso(e.stopDate),
        })),
        ...(out.nextToken ? { nextToken: out.nextToken } : {}),
      };
    } catch (e: unknown) {
      if (hasErrorName(e, 'StateMachineDoesNotExist')) throw new TargetNotFound(`state machine ${stateMachineArn} does not exist (ListExecutions)`);
      throw classifyAwsError(e, `states:ListExecutions on ${stateMachineArn}`);
    }
  }

  /**
   * StartExecution with a name: Step Functions starts one execution of a name per state machine
   * (the same name and input while it runs answers that execution again), so a retry starts
   * nothing twice. A name already used (closed, or another input) is ExecutionAlreadyExists:
   * `existed`, nothing started.
   */
  async start(stateMachineArn: string, name: string, input: string): Promise<{ executionArn: string; existed: boolean }> {
    try {
      const { m, client } = await this.clients.reads.get();
      const out = await client.send(new m.StartExecutionCommand({ stateMachineArn, name, input }));
      return { executionArn: out.executionArn ?? executionArnOf(stateMachineArn, name), existed: false };
    } catch (e: unknown) {
      if (hasErrorName(e, 'ExecutionAlreadyExists')) return { executionArn: executionArnOf(stateMachineArn, name), existed: true };
      if (hasErrorName(e, 'StateMachineDoesNotExist')) throw new TargetNotFound(`state machine ${stateMachineArn} does not exist (StartExecution)`);
      throw classifyAwsError(e, `states:StartExecution ${name} on ${stateMachineArn}`);
    }
  }

  /** A state machine's tags. */
  async tags(stateMachineArn: string): Promise<Record<string, string>> {
    try {
      const { m, client } = await this.clients.reads.get();
      const out = await client.send(new m.ListTagsForResourceCommand({ resourceArn: stateMachineArn }));
      return Object.fromEntries((out.tags ?? []).flatMap((t) => (t.key === undefined ? [] : [[t.key, t.value ?? '']])));
    } catch (e: unknown) {
      if (hasErrorName(e, 'ResourceNotFound')) return Promise.reject(new TargetNotFound(`state machine ${stateMachineArn} does not exist (ListTagsForResource)`));
      throw classifyAwsError(e, `states:ListTagsForResource on ${stateMachineArn}`);
    }
  }

  /**
   * RedriveExecution with a client token: the same token within 15 minutes is answered with the
   * first redrive's date and redrives nothing again. Not redrivable is ChangeRejected, with AWS's reason.
   */
  async redrive(executionArn: string, clientToken: string): Promise<{ redriveDate: string | null }> {
    try {
      const { m, client } = await this.clients.mutations.get();
      const out = await client.send(new m.RedriveExecutionCommand({ executionArn, clientToken }));
      return { redriveDate: iso(out.redriveDate) };
    } catch (e: unknown) {
      if (hasErrorName(e, 'ExecutionNotRedrivable')) throw new ChangeRejected(`Step Functions will not redrive ${executionArn}: ${e.message}`);
      throw this.mapError(e, executionArn, 'RedriveExecution');
    }
  }

  private mapError(e: unknown, executionArn: string, operation: string): Error {
    if (hasErrorName(e, 'ExecutionDoesNotExist')) return new TargetNotFound(`execution ${executionArn} does not exist (${operation})`);
    return classifyAwsError(e, `states:${operation} on ${executionArn}`);
  }
}
