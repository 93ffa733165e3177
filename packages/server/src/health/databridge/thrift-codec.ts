/**
 * The small part of Apache Thrift that WSO2's databridge speaks: the binary protocol (strict
 * messages, version 1) over a buffered transport (no frame length). Hand-written, because what
 * strato needs is a few hundred lines and the npm `thrift` package brings a whole RPC stack, code
 * generation and Node-version-specific transports for it.
 *
 * Values are kept generic: a struct is a map of field id to a typed value; the service gives the
 * fields their meaning. Reading is defensive: a string, a container or the nesting depth beyond
 * the limits below ends the message as malformed, and a message cut short throws
 * {@link Incomplete} so that the caller waits for more bytes.
 */

/** Thrift type ids of the binary protocol. */
export const T = {
  STOP: 0,
  BOOL: 2,
  BYTE: 3,
  DOUBLE: 4,
  I16: 6,
  I32: 8,
  I64: 10,
  STRING: 11,
  STRUCT: 12,
  MAP: 13,
  SET: 14,
  LIST: 15,
} as const;
export type TypeId = (typeof T)[keyof typeof T];

/** Message types. */
export const MessageType = { CALL: 1, REPLY: 2, EXCEPTION: 3, ONEWAY: 4 } as const;

const VERSION_1 = 0x80010000;
const VERSION_MASK = 0xffff0000;

/** A typed Thrift value. Strings are UTF-8 text; i64 is a bigint. */
export type TValue =
  | { type: typeof T.BOOL; value: boolean }
  | { type: typeof T.BYTE | typeof T.I16 | typeof T.I32 | typeof T.DOUBLE; value: number }
  | { type: typeof T.I64; value: bigint }
  | { type: typeof T.STRING; value: string }
  | { type: typeof T.STRUCT; value: TStruct }
  | { type: typeof T.LIST | typeof T.SET; elementType: TypeId; value: TValue[] }
  | { type: typeof T.MAP; keyType: TypeId; valueType: TypeId; value: [TValue, TValue][] };

/** A struct: field id → value. */
export type TStruct = Map<number, TValue>;

/** One Thrift message. */
export interface TMessage {
  name: string;
  type: number;
  seqid: number;
  body: TStruct;
}

/** Bounds on what a peer may send (a databridge bundle is a few hundred bytes). */
export interface ReadLimits {
  /** longest string or binary, bytes */
  maxString: number;
  /** most elements of one list, set or map */
  maxContainer: number;
  /** deepest nesting of structs and containers */
  maxDepth: number;
}

export const DEFAULT_LIMITS: ReadLimits = { maxString: 1 << 20, maxContainer: 100_000, maxDepth: 16 };

/** The buffer ends inside the message: wait for more bytes. */
export class Incomplete extends Error {
  constructor() {
    super('the Thrift message is not complete yet');
  }
}

/** The bytes are not a Thrift message strato accepts. */
export class Malformed extends Error {}

const TYPE_IDS: ReadonlySet<number> = new Set(Object.values(T));

class Reader {
  offset = 0;
  constructor(
    private readonly buf: Buffer,
    private readonly limits: ReadLimits,
  ) {}

  private need(n: number): void {
    if (this.offset + n > this.buf.length) throw new Incomplete();
  }
  byte(): number {
    this.need(1);
    return this.buf.readInt8(this.offset++);
  }
  i16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }
  i32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  i64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return v;
  }
  double(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.offset);
    this.offset += 8;
    return v;
  }
  string(): string {
    const n = this.i32();
    if (n < 0 || n > this.limits.maxString) throw new Malformed(`string of ${n} bytes`);
    this.need(n);
    const s = this.buf.toString('utf8', this.offset, this.offset + n);
    this.offset += n;
    return s;
  }
  typeId(): TypeId {
    const t = this.byte();
    if (!TYPE_IDS.has(t)) throw new Malformed(`unknown type id ${t}`);
    return t as TypeId;
  }
  size(): number {
    const n = this.i32();
    if (n < 0 || n > this.limits.maxContainer) throw new Malformed(`container of ${n} elements`);
    return n;
  }

  value(type: TypeId, depth: number): TValue {
    if (depth > this.limits.maxDepth) throw new Malformed('nested too deeply');
    switch (type) {
      case T.BOOL:
        return { type, value: this.byte() !== 0 };
      case T.BYTE:
        return { type, value: this.byte() };
      case T.I16:
        return { type, value: this.i16() };
      case T.I32:
        return { type, value: this.i32() };
      case T.I64:
        return { type, value: this.i64() };
      case T.DOUBLE:
        return { type, value: this.double() };
      case T.STRING:
        return { type, value: this.string() };
      case T.STRUCT:
        return { type, value: this.struct(depth + 1) };
      case T.LIST:
      case T.SET: {
        const elementType = this.typeId();
        const n = this.size();
        const value: TValue[] = [];
        for (let i = 0; i < n; i++) value.push(this.value(elementType, depth + 1));
        return { type, elementType, value };
      }
      case T.MAP: {
        const keyType = this.typeId();
        const valueType = this.typeId();
        const n = this.size();
        const value: [TValue, TValue][] = [];
        for (let i = 0; i < n; i++) value.push([this.value(keyType, depth + 1), this.value(valueType, depth + 1)]);
        return { type, keyType, valueType, value };
      }
      default:
        throw new Malformed(`type id ${type} has no value`);
    }
  }

  struct(depth = 0): TStruct {
    const out: TStruct = new Map();
    for (;;) {
      const type = this.typeId();
      if (type === T.STOP) return out;
      const id = this.i16();
      out.set(id, this.value(type, depth));
    }
  }

  message(): TMessage {
    const first = this.i32();
    let name: string;
    let type: number;
    if (first < 0) {
      // strict: version and type in one word
      if ((first & VERSION_MASK) >>> 0 !== VERSION_1) throw new Malformed(`bad protocol version 0x${(first >>> 0).toString(16)}`);
      type = first & 0xff;
      name = this.string();
    } else {
      // old (non-strict) header: the name's length first, then the name and the type
      if (first > this.limits.maxString) throw new Malformed(`method name of ${first} bytes`);
      this.need(first);
      name = this.buf.toString('utf8', this.offset, this.offset + first);
      this.offset += first;
      type = this.byte();
    }
    const seqid = this.i32();
    const body = this.struct();
    return { name, type, seqid, body };
  }
}

/**
 * Reads one message from the start of `buf`. Returns it and the number of bytes it took, or
 * throws {@link Incomplete} (more bytes needed) or {@link Malformed}.
 */
export function readMessage(buf: Buffer, limits: ReadLimits = DEFAULT_LIMITS): { message: TMessage; length: number } {
  const r = new Reader(buf, limits);
  const message = r.message();
  return { message, length: r.offset };
}

class Writer {
  private readonly chunks: Buffer[] = [];
  byte(v: number): void {
    const b = Buffer.alloc(1);
    b.writeInt8(v);
    this.chunks.push(b);
  }
  i16(v: number): void {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    this.chunks.push(b);
  }
  i32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v | 0);
    this.chunks.push(b);
  }
  i64(v: bigint): void {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(v);
    this.chunks.push(b);
  }
  double(v: number): void {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(v);
    this.chunks.push(b);
  }
  string(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.i32(b.length);
    this.chunks.push(b);
  }
  value(v: TValue): void {
    switch (v.type) {
      case T.BOOL:
        this.byte(v.value ? 1 : 0);
        return;
      case T.BYTE:
        this.byte(v.value);
        return;
      case T.I16:
        this.i16(v.value);
        return;
      case T.I32:
        this.i32(v.value);
        return;
      case T.I64:
        this.i64(v.value);
        return;
      case T.DOUBLE:
        this.double(v.value);
        return;
      case T.STRING:
        this.string(v.value);
        return;
      case T.STRUCT:
        this.struct(v.value);
        return;
      case T.LIST:
      case T.SET:
        this.byte(v.elementType);
        this.i32(v.value.length);
        for (const e of v.value) this.value(e);
        return;
      case T.MAP:
        this.byte(v.keyType);
        this.byte(v.valueType);
        this.i32(v.value.length);
        for (const [k, e] of v.value) {
          this.value(k);
          this.value(e);
        }
        return;
    }
  }
  struct(s: TStruct): void {
    for (const [id, v] of [...s.entries()].sort(([a], [b]) => a - b)) {
      this.byte(v.type);
      this.i16(id);
      this.value(v);
    }
    this.byte(T.STOP);
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** Encodes one message (strict header, version 1). */
export function writeMessage(m: TMessage): Buffer {
  const w = new Writer();
  w.i32(VERSION_1 | m.type | 0);
  w.string(m.name);
  w.i32(m.seqid);
  w.struct(m.body);
  return w.bytes();
}

// ---- building and reading values ---------------------------------------------------------------

export const str = (value: string): TValue => ({ type: T.STRING, value });
export const i32 = (value: number): TValue => ({ type: T.I32, value });
export const i64 = (value: bigint): TValue => ({ type: T.I64, value });
export const dbl = (value: number): TValue => ({ type: T.DOUBLE, value });
export const bool = (value: boolean): TValue => ({ type: T.BOOL, value });
export const struct = (fields: Record<number, TValue>): TValue => ({ type: T.STRUCT, value: structOf(fields) });
export const list = (elementType: TypeId, value: TValue[]): TValue => ({ type: T.LIST, elementType, value });

/** A struct from `{id: value}`. */
export function structOf(fields: Record<number, TValue>): TStruct {
  return new Map(Object.entries(fields).map(([id, v]) => [Number(id), v]));
}

/** A string field, or undefined when absent or of another type. */
export function stringField(s: TStruct, id: number): string | undefined {
  const v = s.get(id);
  return v?.type === T.STRING ? v.value : undefined;
}

/** An i32 field, or undefined. */
export function i32Field(s: TStruct, id: number): number | undefined {
  const v = s.get(id);
  return v?.type === T.I32 ? v.value : undefined;
}

/** A struct field, or undefined. */
export function structField(s: TStruct, id: number): TStruct | undefined {
  const v = s.get(id);
  return v?.type === T.STRUCT ? v.value : undefined;
}

/** The elements of a list field of the given element type; empty when absent; undefined when of another type. */
export function listField(s: TStruct, id: number, elementType: TypeId): TValue[] | undefined {
  const v = s.get(id);
  if (v === undefined) return [];
  if ((v.type !== T.LIST && v.type !== T.SET) || (v.value.length > 0 && v.elementType !== elementType)) return undefined;
  return v.value;
}

/** TApplicationException types used here. */
export const ApplicationError = { UNKNOWN_METHOD: 1, INVALID_MESSAGE_TYPE: 2, PROTOCOL_ERROR: 7 } as const;

/** The EXCEPTION message a Thrift server answers a call it cannot serve with (TApplicationException). */
export function applicationException(name: string, seqid: number, message: string, type: number): Buffer {
  return writeMessage({ name, type: MessageType.EXCEPTION, seqid, body: structOf({ 1: str(message), 2: i32(type) }) });
}
