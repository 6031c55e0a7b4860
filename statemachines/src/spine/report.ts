/**
 * The report step every state machine ends with: after its last notification, the incident's
 * post-incident report is written to S3 (lambdas/report/handler.ts). Written once here: each ending
 * of a machine (a notification that ends it, a Succeed) goes to the report step instead, which ends
 * the execution as the ending did. A report that cannot be written never changes that: a transient
 * failure is retried, then caught into a step that counts it (metric IncidentReportsNotWritten) and
 * logs it, and the execution succeeds all the same.
 */
import type { State, States, TaskState } from '../asl';
import { DefinitionError } from '../check';
import { EXECUTION, fromPayload, INCIDENT, LAMBDA_INVOKE, TRANSIENT, type Spine } from './tasks';

export const REPORT_STATE = 'Write the incident report';
export const REPORT_NOT_WRITTEN = 'Count the unwritten report';
export const REPORT_GIVEN_UP = 'Report not written, not counted';

/** The functions of the spine itself: their fields of the execution's data are not a runbook's reads. */
const SPINE_FUNCTIONS = new Set(['AdmitFunctionArn', 'NotifyFunctionArn', 'ApprovalRequestFunctionArn', 'ReportFunctionArn']);
/** A mutating step reports the ledger's record of its call: its operation and target. */
const isMutation = (state: TaskState): boolean => state.ResultSelector !== undefined && 'operation.$' in state.ResultSelector && 'target.$' in state.ResultSelector;

/**
 * Which states write each field of the execution's data (`$.diagnosis` <- "Read function
 * concurrency"): the machine's own Tasks, but for the mutating steps (their ledger rows say more)
 * and the spine's. The report names each finding by it.
 */
export function stepsOf(states: States): Record<string, string> {
  const writers = new Map<string, string[]>();
  for (const [name, state] of Object.entries(states)) {
    if (state.Type !== 'Task' || !state.ResultPath) continue;
    const field = /^\$\.([A-Za-z_]\w*)$/.exec(state.ResultPath)?.[1];
    const fn = /^\$\{(\w+)\}$/.exec(String(state.Parameters?.FunctionName ?? ''))?.[1];
    if (!field || (fn && SPINE_FUNCTIONS.has(fn)) || isMutation(state)) continue;
    writers.set(field, [...(writers.get(field) ?? []), name]);
  }
  return Object.fromEntries([...writers].map(([field, names]) => [field, names.join(' / ')]));
}

export interface ReportOptions {
  /** Pass the execution's data and what wrote it (a runbook); the undo rewrites its incident's report from the ledger alone. */
  readonly facts: boolean;
  /** Endings that are not this execution's incident to report (a duplicate delivery: another execution owns it). */
  readonly without?: readonly string[];
  /** The `$.<field>` of a check the machine polls to verify its change (no alarm to verify by): the report reads it as the verification. */
  readonly verifiedBy?: string;
}

/** The machine's states, each ending routed through the report step, and the report step itself. */
export function withReport(spine: Spine, states: States, o: ReportOptions): States {
  const routed = Object.fromEntries(Object.entries(states).map(([name, state]) => [name, o.without?.includes(name) ? state : throughReport(state)]));
  const steps = stepsOf(routed);
  const verifiedBy = o.verifiedBy === undefined ? undefined : /^\$\.([A-Za-z_]\w*)$/.exec(o.verifiedBy)?.[1];
  if (o.verifiedBy !== undefined && (verifiedBy === undefined || !(verifiedBy in steps))) {
    throw new DefinitionError([`${spine.name}: verifiedBy ${o.verifiedBy} is not a field one of its checks writes (${Object.keys(steps).map((f) => `$.${f}`).join(', ')})`]);
  }
  const payload = { machine: spine.name, ...INCIDENT, ...EXECUTION };
  const written = fromPayload(['written', 'key', 'reason']);
  const write: TaskState = {
    Type: 'Task',
    Comment: "The post-incident report, from the ledger (and this run's data, recorded beside the incident first), to incidents/<day>-<runbook>-<target>.md in the report bucket. The incident's outcome is already recorded: a report that cannot be written is counted, not failed.",
    Resource: LAMBDA_INVOKE,
    Parameters: {
      FunctionName: '${ReportFunctionArn}',
      Payload: { mode: 'write', ...payload, ...(o.facts ? { facts: { 'state.$': '$', steps, ...(verifiedBy ? { verifiedBy } : {}) } } : {}) },
    },
    ResultSelector: written,
    ResultPath: '$.report',
    Retry: [TRANSIENT],
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.reportError', Next: REPORT_NOT_WRITTEN }],
    End: true,
  };
  const count: TaskState = {
    Type: 'Task',
    Comment: 'The report could not be written after its retries: counted (IncidentReportsNotWritten) and logged with the error; the execution ends as its last notification said.',
    Resource: LAMBDA_INVOKE,
    Parameters: { FunctionName: '${ReportFunctionArn}', Payload: { mode: 'not-written', ...payload, 'error.$': '$.reportError' } },
    ResultSelector: written,
    ResultPath: '$.report',
    Retry: [TRANSIENT],
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.reportError', Next: REPORT_GIVEN_UP }],
    End: true,
  };
  return {
    ...routed,
    [REPORT_STATE]: write,
    [REPORT_NOT_WRITTEN]: count,
    [REPORT_GIVEN_UP]: { Type: 'Succeed', Comment: "Neither written nor counted (the report function itself failed): its Errors metric and log group say why. The incident's outcome stands." },
  };
}

/** An ending, as a step to the report: a Task that ended the execution goes on to it; a Succeed becomes a Pass to it. */
function throughReport(state: State): State {
  if (state.Type === 'Succeed') return { Type: 'Pass', ...(state.Comment ? { Comment: state.Comment } : {}), Next: REPORT_STATE };
  if (state.Type === 'Task' && state.End) {
    const { End: _end, ...rest } = state;
    return { ...rest, Next: REPORT_STATE } as TaskState;
  }
  return state;
}
