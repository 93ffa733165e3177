/**
 * What the CLI prints: tables (kubectl's plain columns: easy to read and to cut with awk), JSON,
 * YAML, and colours only where a person reads them (a terminal, without NO_COLOR; FORCE_COLOR
 * forces them).
 */
import { createColors } from 'picocolors';
import { stringify as toYaml } from 'yaml';
import { CliError, EXIT } from './errors.ts';

export type Colors = ReturnType<typeof createColors>;

/** Whether colours suit `stream`: a terminal, NO_COLOR unset, TERM not dumb; FORCE_COLOR wins. */
export function colorsWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** The streams a command writes to, with the colours each may use. */
export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  /** colours for stdout */
  c: Colors;
  /** colours for stderr */
  ce: Colors;
  /** whether stdout is a terminal (progress may be redrawn there) */
  tty: boolean;
}

export function processIo(): Io {
  return {
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
    c: createColors(colorsWanted(process.stdout)),
    ce: createColors(colorsWanted(process.stderr)),
    tty: process.stdout.isTTY === true,
  };
}

export const OUTPUT_FORMATS = ['table', 'wide', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function outputFormat(value: string | undefined): OutputFormat {
  const v = (value ?? 'table').toLowerCase();
  if ((OUTPUT_FORMATS as readonly string[]).includes(v)) return v as OutputFormat;
  throw new CliError(`-o ${value}: expected one of ${OUTPUT_FORMATS.join(', ')}`, EXIT.usage);
}

export function toJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

export function yaml(value: unknown): string {
  return toYaml(value, { lineWidth: 0 }).replace(/\n$/, '');
}

/** A status word coloured by what it means: green when running, yellow on the way, red when ending. */
export function statusColor(c: Colors, status: string | undefined): string {
  const s = status ?? '-';
  if (/^(Active|Deployed|true)$/.test(s)) return c.green(s);
  if (/^(Created|Initialized|Starting|Undeploying|Inactive|In_Maintenance)$/.test(s)) return c.yellow(s);
  if (/^(Terminating|Terminated|ReadyToShutDown|Suspended|Faulty|false)$/.test(s)) return c.red(s);
  return s;
}

/** A cell: its plain text (for widths) and what is printed (maybe coloured). */
export type Cell = string | { text: string; shown: string };

const plain = (cell: Cell) => (typeof cell === 'string' ? cell : cell.text);
const shown = (cell: Cell) => (typeof cell === 'string' ? cell : cell.shown);

/** Columns separated by three spaces, headers in capitals; the last column is not padded. */
export function table(headers: string[], rows: Cell[][], c?: Colors): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => plain(r[i] ?? '').length)));
  const line = (cells: Cell[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? shown(cell) : shown(cell) + ' '.repeat(widths[i] - plain(cell).length)))
      .join('   ')
      .trimEnd();
  const head = headers.map((h) => h.toUpperCase());
  return [c ? c.bold(line(head)) : line(head), ...rows.map((r) => line(r))];
}
