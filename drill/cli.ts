/** `npm run drill`: the drill command (drill/command.ts) as a process of its own. */
import { runDrillCommand } from './command';

// runDrillCommand answers every failure with an exit code; a rejection here is a bug, said as one.
runDrillCommand(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`drill: internal error: ${String(e)}`);
    process.exit(1);
  },
);
