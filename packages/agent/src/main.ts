/**
 * `strato-agent`: strato's cartridge agent as a process.
 *
 *   strato-agent [--conf <agent.conf>] [--payload <launch-params file | payload dir>]
 *
 * Paths default to `agent.conf` and `payload/launch-params` in the working directory (as Stratos's
 * agent finds them next to itself), or come from `STRATO_AGENT_CONF` / `STRATO_AGENT_PAYLOAD`.
 * Logs go to `agent.log` (level `log.level`, truncated at each start) and `error.log` (errors
 * only, appended) in the working directory, as Stratos's do.
 *
 * Exit status: 0 after SIGTERM (or SIGINT) and the cleanup; 2 for a configuration error (the
 * message names the key; nothing is published, nothing retried); 1 for an unexpected failure.
 */
import { join } from 'node:path';
import { pino, multistream, destination, type Logger } from 'pino';
import { CartridgeAgent } from './agent.ts';
import { ConfigError, configPaths, loadConfig } from './config.ts';

function logger(level: string, dir: string): Logger {
  const streams = [
    { level: level as pino.Level, stream: destination({ dest: join(dir, 'agent.log'), sync: true, append: false }) },
    { level: 'error' as pino.Level, stream: destination({ dest: join(dir, 'error.log'), sync: true, append: true }) },
  ];
  return pino({ level, base: { pid: process.pid }, name: 'strato-agent' }, multistream(streams));
}

function main(): void {
  const cwd = process.cwd();
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(configPaths(process.argv.slice(2), process.env, cwd));
  } catch (e) {
    const message = e instanceof ConfigError ? e.message : `Cannot start: ${(e as Error).message}`;
    try {
      const log = logger('info', cwd);
      log.fatal({ key: (e as ConfigError).key }, message);
    } catch {
      /* the working directory is not writable: stderr only */
    }
    process.stderr.write(`strato-agent: ${message}\n`);
    process.exitCode = 2;
    return;
  }
  const log = logger(config.logLevel, cwd);
  const agent = new CartridgeAgent(config, log);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    log.info({ signal }, `Received ${signal}`);
    if (signals === 1) agent.terminate();
    else void agent.stop();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'Cartridge agent exception');
    process.exit(1);
  });
  agent.start();
  void agent.exited.then((code) => process.exit(code));
}

main();
