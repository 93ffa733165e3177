import pino from 'pino';
import pretty from 'pino-pretty';
import { startServer } from './server.ts';
import { loadSettings } from './settings.ts';

/**
 * `npm start`: strato on embedded defaults (or the STRATO_* settings of the environment). Logs are
 * readable lines at a terminal and JSON lines otherwise (a file, a pipe, a log collector).
 */
async function main(): Promise<void> {
  let settings;
  try {
    settings = loadSettings();
  } catch (e) {
    process.stderr.write(`strato: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const options = { level: settings.logLevel, base: { service: 'strato' } };
  const logger = process.stdout.isTTY
    ? pino(options, pretty({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' }))
    : pino(options);
  const server = await startServer(settings, logger);
  const password = process.env.STRATO_ADMIN_PASSWORD ? '(from STRATO_ADMIN_PASSWORD)' : settings.adminPassword;
  process.stdout.write(`strato is ready at ${server.url}/api  —  sign in as admin / ${password}  (started in ${Math.round(performance.now())} ms)\n`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.logger.info({ signal }, 'stopping');
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((e) => {
  process.stderr.write(`strato failed to start: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
