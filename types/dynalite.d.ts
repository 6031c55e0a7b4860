// dynalite ships no type declarations: what this project uses of it (its index.js documents the options).
declare module 'dynalite' {
  import type { Server } from 'node:http';

  interface DynaliteOptions {
    /** How long a table stays CREATING, DELETING or UPDATING (500 ms by default). */
    readonly createTableMs?: number;
    readonly deleteTableMs?: number;
    readonly updateTableMs?: number;
    readonly maxItemSizeKb?: number;
    /** A LevelDB directory; in memory when absent. */
    readonly path?: string;
  }

  /** An HTTP server answering the DynamoDB API; it listens once `listen` is called. */
  function dynalite(options?: DynaliteOptions): Server;
  export = dynalite;
}
