declare module 'dynalite' {
  import type { Server } from 'node:http';
  /** dynalite ships no types; only the options this project uses. */
  function dynalite(options?: {
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    path?: string;
  }): Server;
  export = dynalite;
}
