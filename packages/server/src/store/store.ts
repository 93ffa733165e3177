import type { ArtifactKind } from '@strato/model';

/**
 * The store: every definition and all runtime state, in a real database.
 *
 * strato keeps documents: each record is a JSON body addressed by (kind, scope, id). `scope` is the
 * tenant id for tenant-owned records (applications, users, sign-ups, domain mappings) and
 * SUPER_TENANT_ID (-1234) for global ones (cartridges, groups, policies, network partitions, ...).
 * Multi-row changes go through `transaction`, which commits all writes or none.
 */
export const SUPER_TENANT_ID = -1234;

/** The kinds of record strato stores: every artifact kind, then runtime kinds (members, ...). */
export type RecordKind = ArtifactKind | (string & {});

export interface StoredRecord<T = unknown> {
  kind: RecordKind;
  scope: number;
  id: string;
  body: T;
  /** milliseconds since the epoch */
  createdAt: number;
  updatedAt: number;
}

/** Reads, usable inside and outside a transaction. */
export interface StoreReader {
  get<T>(kind: RecordKind, id: string, scope?: number): Promise<T | undefined>;
  /** Records of one kind in one scope (all scopes when scope is 'all'), in insertion order. */
  list<T>(kind: RecordKind, scope?: number | 'all'): Promise<StoredRecord<T>[]>;
}

export interface StoreWriter extends StoreReader {
  /** Inserts or replaces. */
  put<T>(kind: RecordKind, id: string, body: T, scope?: number): Promise<void>;
  /** Returns whether a record was removed. */
  delete(kind: RecordKind, id: string, scope?: number): Promise<boolean>;
}

export interface Store extends StoreReader {
  /** Which engine this is, for logs: 'sqlite' or 'postgres'. */
  readonly engine: 'sqlite' | 'postgres';
  /** Runs the versioned schema migrations that have not run yet. Called once on start. */
  migrate(): Promise<void>;
  /** Runs fn in one database transaction: every write in it lands, or none does. */
  transaction<R>(fn: (tx: StoreWriter) => Promise<R>): Promise<R>;
  put<T>(kind: RecordKind, id: string, body: T, scope?: number): Promise<void>;
  delete(kind: RecordKind, id: string, scope?: number): Promise<boolean>;
  close(): Promise<void>;
}
