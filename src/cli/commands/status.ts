/** `replicate status` and `replicate reset`: checkpoints, last runs and what waits in the ledgers. */
import { readStatus } from '../../replicator/engine/pair-status.js';
import { resetCheckpoints } from '../../replicator/engine/reset-checkpoints.js';
import { resolveSettings, type ConnectionFlags, type Settings } from '../config.js';
import { ConfigError } from '../../errors.js';
import { EXIT } from '../exit-codes.js';
import { print, styleFor, type CliIO, type Style } from '../io.js';
import type { RunRecord } from '../../replicator/state/state-store.js';
import { parseDirection } from './run.js';
import { displayKey } from '../../replicator/engine/position-codec.js';
import { PUSHES_REFUSED, PUSHES_REFUSED_FIX } from '../report/pushes-refused-text.js';

export interface StatusArgs extends ConnectionFlags {
  json?: boolean | undefined;
}

const rows = (n: number): string => `${n} row${n === 1 ? '' : 's'}`;

function age(iso: string | null, now = Date.now()): string {
  if (!iso) return '';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}

/** What a run of the history did, in the words of how it ended. */
function runLine(run: RunRecord, style: Style): string {
  const read = run.tables.reduce((n, t) => n + t.read, 0);
  const written = run.tables.reduce((n, t) => n + t.written, 0);
  const counts = `${read} read, ${written} written`;
  const head = `  run        ${run.startedAt}  `;
  switch (run.status) {
    case 'running':
      return `${head}${'running'.padEnd(11)} ${counts} so far`;
    case 'cut-off':
      // its tables hold what its committed batches wrote, nothing of how it ended
      return style.yellow(`${head}${'cut off'.padEnd(11)} ${counts} before it ended without a summary (killed, crashed or lost its connection)`);
    case 'failed': {
      const failedTable = run.tables.find((t) => t.error);
      return style.red(`${head}${'failed'.padEnd(11)} ${counts}${failedTable ? `; ${failedTable.table}: ${failedTable.error}` : ''}`);
    }
    default:
      return `${head}${run.status.padEnd(11)} ${counts}`;
  }
}

export async function runStatus(args: StatusArgs, io: CliIO): Promise<number> {
  const s = await resolveSettings(args, io);
  const status = await readStatus({ sqlitePath: s.sqlitePath, pgUrl: s.pgUrl, schema: s.schema });
  if (args.json) {
    print(io.stdout, JSON.stringify(status, null, 2));
    return EXIT.ok;
  }
  const style = styleFor(io.stdout, io.env);
  print(io.stdout, `status  sqlite ${s.sqlitePath} (id ${status.sqliteId})`);
  if (status.sharedId) {
    print(io.stdout, style.red(`  ${PUSHES_REFUSED}, and the sqlite-to-pg state below is that file's; ${PUSHES_REFUSED_FIX}`));
  }
  for (const { direction, summary, oldestWaiting, oldestRejected, owed } of status.directions) {
    print(io.stdout, '');
    print(io.stdout, style.bold(direction));
    if (summary.checkpoints.length === 0 && summary.lastRuns.length === 0 && owed.length === 0) {
      print(io.stdout, style.dim('  never run'));
      continue;
    }
    for (const c of summary.checkpoints) print(io.stdout, `  checkpoint ${c.table.padEnd(24)} ${style.dim(`saved ${c.updatedAt}`)}`);
    for (const k of summary.skipped) {
      const o = oldestWaiting.find((w) => w.table === k.table);
      const detail = o ? `: [${displayKey(o.rowKey)}] waits for ${o.parentTable} [${displayKey(o.parentKey)}] (${o.fkColumns.join(', ')}), ${o.attempts} attempts` : '';
      print(io.stdout, style.yellow(`  waiting    ${k.table.padEnd(24)} ${rows(k.count)} waiting for parents; oldest ${age(k.oldestFirstSeen)}${detail}`));
    }
    for (const r of summary.rejected) {
      const o = oldestRejected.find((w) => w.table === r.table);
      const detail = o ? `: [${displayKey(o.rowKey)}]${o.column ? ` ${o.column}` : ''}: ${o.reason}` : '';
      print(io.stdout, style.red(`  rejected   ${r.table.padEnd(24)} ${rows(r.count)}; oldest ${age(r.oldestFirstSeen)}${detail}`));
    }
    for (const o of owed) {
      print(io.stdout, style.yellow(`  owed       ${o.table.padEnd(24)} ${o.kind} ${o.name} ${o.detail}, for ${age(o.since)} (a --create-missing run was cut off; the next run adds it)`));
    }
    for (const run of summary.lastRuns) print(io.stdout, runLine(run, style));
  }
  return EXIT.ok;
}

export interface ResetArgs extends ConnectionFlags {
  table?: string | undefined;
  direction?: string | undefined;
  newId?: boolean | undefined;
  adopt?: boolean | undefined;
}

/** `reset --new-id` / `--adopt`: a file refused because another file with its id synced since. */
async function resetFileId(args: ResetArgs, s: Settings, io: CliIO): Promise<number> {
  const { adoptFileId, giveFileNewId } = await import('../../replicator/engine/reset-file-id.js');
  const { sharedIdWhere } = await import('../../replicator/state/file-generation.js');
  const config = { sqlitePath: s.sqlitePath, pgUrl: s.pgUrl, schema: s.schema };
  const where = sharedIdWhere(s.pgUrl, s.schema);
  if (args.newId) {
    const { oldId, newId } = await giveFileNewId(config);
    print(io.stdout, `gave ${s.sqlitePath} the new id ${newId}: it is a terminal of its own now (id ${oldId} and its checkpoints stay with the file it was copied from)`);
    print(
      io.stdout,
      '  its next push (run --direction sqlite-to-pg) copies every row in full, by upsert: a row this file holds in an older version than PostgreSQL does ' +
        "(changed by the other terminal since the copy was made) is overwritten with this file's version; its pulls go on from their checkpoints",
    );
    return EXIT.ok;
  }
  const { sqliteId, outcome } = await adoptFileId(config);
  const said = {
    adopted: `${s.sqlitePath} goes on as the file that syncs as id ${sqliteId} with ${where}: its next push goes on from the id's checkpoints (if the file it replaces still syncs too, whichever of the two pushes second is refused)`,
    already: `${s.sqlitePath} is not refused: it holds the current token of id ${sqliteId} with ${where}; nothing to adopt`,
    nothing: `no push has synced as id ${sqliteId} with ${where} yet: nothing to adopt, ${s.sqlitePath} may run as it is`,
  };
  print(io.stdout, said[outcome]);
  return EXIT.ok;
}

export async function runReset(args: ResetArgs, io: CliIO): Promise<number> {
  if (args.newId || args.adopt) {
    // each is about the whole file, not some of its checkpoints
    const given = [args.newId && '--new-id', args.adopt && '--adopt', args.table !== undefined && '--table', args.direction !== undefined && '--direction'].filter((f) => typeof f === 'string');
    const [flag, ...others] = given;
    if (flag && others.length > 0) throw new ConfigError(`reset ${flag} is about the whole file and goes alone: leave out ${others.join(' and ')}`, others[0]?.replace(/^--/, '') ?? null);
    return resetFileId(args, await resolveSettings(args, io), io);
  }
  const s = await resolveSettings(args, io);
  const direction = args.direction ? parseDirection(args.direction) : undefined;
  const n = await resetCheckpoints({ sqlitePath: s.sqlitePath, pgUrl: s.pgUrl, schema: s.schema, mappingsDir: s.mappingsDir }, args.table, direction);
  print(io.stdout, `forgot ${n} checkpoint${n === 1 ? '' : 's'}${args.table ? ` of ${args.table}` : ''}: the next run copies ${args.table ? 'it' : 'every table'} in full`);
  return EXIT.ok;
}
