/** `strato`: runs the command line and exits with its code. */
import { run } from './program.ts';

// a reader that went away (`strato get cartridges | head -1`) ends the command quietly
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

const code = await run(process.argv.slice(2));
// no timer nor socket of the client may hold the process after the command is done
process.exit(code);
