/** `strato`: runs the command line and exits with its code. */
import { run } from './program.ts';

const code = await run(process.argv.slice(2));
// no timer nor socket of the client may hold the process after the command is done
process.exit(code);
