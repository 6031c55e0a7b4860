/** The spine the state machines share; a runbook's source says only what is its own. */
export { approvalGate } from './approval';
export { REPORT_GIVEN_UP, REPORT_NOT_WRITTEN, REPORT_STATE, stepsOf, withReport } from './report';
export { assemble, plannedOnly, runbookMachine } from './runbook';
export { ACTION_RESULT, EXECUTION, fromPayload, INCIDENT, LAMBDA_INVOKE, LAMBDA_INVOKE_WAIT_FOR_TOKEN, START_EXECUTION, Spine, TABLE_BUSY, TRANSIENT } from './tasks';
export { pollUntilDone, verifyAlarm, verifyLoop } from './verify';
export { attemptAgain, carryOn, everyPartDone, recordPart, startParts, type Part } from './parts';
export { redeployOneAtATime } from './redeploys';
