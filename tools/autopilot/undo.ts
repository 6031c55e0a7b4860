/** `undo <incident>`: what `npm run undo` does (tools/undo.ts), with the command line's environment, profile and region. */
import { parseUndoArgs, startUndo, UndoStartError, UndoUsageError } from '../undo';
import { CliError, usageError } from './errors';
import type { Output } from './output';
import { deployedOnly, type Settings } from './settings';
import { openStack } from './stack';

export async function undoIncident(settings: Settings, incidentId: string, o: { as?: string }): Promise<Output> {
  const stackSettings = deployedOnly(settings, 'undo starts the undo state machine of', 'drill an undo with npm run drill -- <runbook> --then-undo');
  const stack = openStack(stackSettings);
  try {
    const args = parseUndoArgs([incidentId, '--env', stack.env, '--region', stack.region, ...(o.as !== undefined ? ['--requested-by', o.as] : [])]);
    const started = await startUndo(args, stack.sfn);
    return {
      data: { incidentId, requestedBy: args.requestedBy, ...started },
      text: [`undo of ${incidentId} started (asked by ${args.requestedBy}): ${started.executionArn}`, `  watch it: ${started.consoleUrl}`],
    };
  } catch (e: unknown) {
    if (e instanceof UndoUsageError) throw usageError(e.message);
    if (e instanceof UndoStartError) throw new CliError(e.message);
    throw e;
  }
}
