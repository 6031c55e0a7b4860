/**
 * How this system's own resources are told apart from the ones it remediates: the stack tags each
 * of its state machines (the runbooks' and the undo's) with this key, its value the stack's name.
 * A runbook that acts on Step Functions executions reads the tag and never acts on a state machine
 * that carries it, whatever its config says: redriving its own failed runs would loop.
 */
export const OWN_STATE_MACHINE_TAG = 'runbook-autopilot:stack';
