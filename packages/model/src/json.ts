import { error } from './errors.ts';

/**
 * Parses a request body as JSON, with the one leniency Stratos's JSON reader had: a trailing comma
 * before `}` or `]` is tolerated (`{"a": 1,}`, `[1, 2, ]`). One of Stratos's own samples relies on it
 * (applications/simple/single-group-app/artifacts/application.json).
 *
 * Any other syntax error throws a 400 {@link StratoError}:
 * `Malformed JSON at line L, column C: <reason>` (1-based line and column).
 *
 * @param text the raw body
 * @returns the parsed value
 */
export function parseJson(text: string): unknown {
  const lenient = dropTrailingCommas(text);
  try {
    return JSON.parse(lenient);
  } catch (e) {
    // JSON.parse does not always say where it failed (V8 11: "Unexpected token '}', ... is not valid
    // JSON"), so a small scanner finds the position and the reason itself.
    const found = locateSyntaxError(lenient);
    if (found) {
      const { line, column } = lineColumn(text, found.offset);
      throw error('JSON_MALFORMED', { line, column, reason: found.reason });
    }
    /* c8 ignore next 2 -- the scanner accepts exactly what JSON.parse accepts */
    throw error('JSON_UNPARSABLE', { reason: e instanceof Error ? e.message : String(e) });
  }
}

/**
 * Replaces every comma that is followed (after optional whitespace) by `}` or `]` and that is not
 * inside a string, and that follows a value (not `[`, `{` or another comma), with a space, so that offsets (and thus line/column of later errors) are kept.
 */
function dropTrailingCommas(text: string): string {
  let out: string[] | undefined;
  let inString = false;
  let previous = 0; // last significant character outside strings (0 = none)
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (isWhitespace(c)) continue;
    const before = previous;
    previous = c;
    if (c === 0x22) {
      inString = true;
    } else if (c === 0x2c /* , */ && before !== 0 && before !== 0x5b /* [ */ && before !== 0x7b /* { */ && before !== 0x2c) {
      let j = i + 1;
      while (j < text.length && isWhitespace(text.charCodeAt(j))) j++;
      const next = text.charCodeAt(j);
      if (next === 0x7d /* } */ || next === 0x5d /* ] */) {
        out ??= text.split('');
        out[i] = ' ';
      }
    }
  }
  return out ? out.join('') : text;
}

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

interface SyntaxFault {
  offset: number;
  reason: string;
}

class Fault extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** A validating JSON scanner (RFC 8259 grammar); returns the first error or undefined. */
function locateSyntaxError(text: string): SyntaxFault | undefined {
  let pos = 0;
  const describe = (at: number) => (at >= text.length ? 'end of input' : `character ${JSON.stringify(text[at])}`);
  const fail = (reason: string, at = pos): never => {
    throw new Fault(at, reason);
  };
  const skipWs = () => {
    while (pos < text.length && isWhitespace(text.charCodeAt(pos))) pos++;
  };
  const literal = (word: string) => {
    for (let k = 0; k < word.length; k++) {
      if (text[pos + k] !== word[k]) fail(`unexpected ${describe(pos + k)} in literal '${word}'`, pos + k);
    }
    pos += word.length;
  };
  const string = () => {
    pos++; // opening quote
    for (;;) {
      if (pos >= text.length) fail('unterminated string');
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        pos++;
        return;
      }
      if (c < 0x20) fail('control character in string (escape it)');
      if (c === 0x5c) {
        const e = text[pos + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) fail('invalid \\u escape in string');
          pos += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          pos += 2;
        } else {
          fail('invalid escape in string', pos + 1);
        }
      } else {
        pos++;
      }
    }
  };
  const number = () => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(pos, pos + 400));
    if (!m || m[0] === '-' || m[0] === '') fail(`unexpected ${describe(pos)}`);
    pos += m![0].length;
  };
  const value = (depth: number): void => {
    if (depth > 10_000) fail('nesting too deep');
    skipWs();
    const c = text[pos];
    if (c === '{') {
      pos++;
      skipWs();
      if (text[pos] === '}') {
        pos++;
        return;
      }
      for (;;) {
        skipWs();
        if (text[pos] !== '"') fail(`expected a property name (a string) but found ${describe(pos)}`);
        string();
        skipWs();
        if (text[pos] !== ':') fail(`expected ':' after property name but found ${describe(pos)}`);
        pos++;
        value(depth + 1);
        skipWs();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === '}') {
          pos++;
          return;
        }
        fail(`expected ',' or '}' after property value but found ${describe(pos)}`);
      }
    } else if (c === '[') {
      pos++;
      skipWs();
      if (text[pos] === ']') {
        pos++;
        return;
      }
      for (;;) {
        value(depth + 1);
        skipWs();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === ']') {
          pos++;
          return;
        }
        fail(`expected ',' or ']' after array element but found ${describe(pos)}`);
      }
    } else if (c === '"') {
      string();
    } else if (c === 't') {
      literal('true');
    } else if (c === 'f') {
      literal('false');
    } else if (c === 'n') {
      literal('null');
    } else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      number();
    } else {
      fail(pos >= text.length ? 'unexpected end of input' : `unexpected ${describe(pos)}`);
    }
  };
  try {
    value(0);
    skipWs();
    if (pos < text.length) fail(`unexpected ${describe(pos)} after the JSON value`);
    return undefined;
  } catch (e) {
    if (e instanceof Fault) return { offset: e.offset, reason: e.reason };
    if (e instanceof RangeError) return { offset: pos, reason: 'nesting too deep' };
    throw e;
  }
}
