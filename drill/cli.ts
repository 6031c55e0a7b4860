/** `npm run drill`: the drill command (drill/command.ts) as a process of its own. */
import { runDrillCommand } from './command';

runDrillCommand(process.argv.slice(2)).then((code) => process.exit(code));
