// The COPY FROM half of pg-copy-streams on its own (postgres-writer.ts imports only it); the
// same function as the package index's `from`, typed by @types/pg-copy-streams.
declare module 'pg-copy-streams/copy-from.js' {
  import type { from } from 'pg-copy-streams';
  const copyFrom: typeof from;
  export = copyFrom;
}
