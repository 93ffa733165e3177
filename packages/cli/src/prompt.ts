/** Asking a person at a terminal (login's user and password); never used without a terminal. */
import { createInterface } from 'node:readline';

/** Reads one line from the terminal; with `hidden`, what is typed is not echoed. */
export function ask(question: string, hidden = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    if (hidden) {
      // echo nothing after the question (readline writes each keystroke through _writeToOutput)
      const writable = rl as unknown as { _writeToOutput: (s: string) => void };
      let asked = false;
      writable._writeToOutput = (s: string) => {
        if (!asked) {
          asked = true;
          process.stderr.write(s);
        } else if (s.includes('\n') || s.includes('\r')) process.stderr.write('\n');
      };
    }
    rl.on('SIGINT', () => {
      rl.close();
      reject(new Error('cancelled'));
    });
    rl.question(question, (answer) => {
      rl.close();
      resolve(answer);
    });
  });
}

export const interactive = (): boolean => process.stdin.isTTY === true && process.stderr.isTTY === true;
