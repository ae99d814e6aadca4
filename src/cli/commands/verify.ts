/** `replicate verify` / `replicate --verify-schemas`: exit 0 clean, 1 drift errors, 2 could not run. */
import { describePostgresUrl } from '../../connect/postgres-connection.js';
import { verifySchemas } from '../../verify/verify-schemas.js';
import { resolveSettings, type ConnectionFlags } from '../config.js';
import { EXIT } from '../exit-codes.js';
import { print, styleFor, type CliIO } from '../io.js';
import { renderVerifyText } from '../report/verify-text.js';

export interface VerifyArgs extends ConnectionFlags {
  json?: boolean | undefined;
}

export async function runVerify(args: VerifyArgs, io: CliIO): Promise<number> {
  const s = await resolveSettings(args, io);
  const result = await verifySchemas({ sqlitePath: s.sqlitePath, pgUrl: s.pgUrl, schema: s.schema, mappingsDir: s.mappingsDir });
  const report = { ok: result.ok, summary: result.summary, issues: result.issues };
  if (args.json) {
    print(io.stdout, JSON.stringify(report, null, 2));
  } else {
    const mappings = result.mappingFilesInUse ? s.mappingsDir : 'generated defaults (no mapping files)';
    const header =
      `verify  sqlite ${s.sqlitePath}\n` +
      `        postgres ${describePostgresUrl(s.pgUrl)} (schema ${s.schema})\n` +
      `        mappings ${mappings}`;
    print(io.stdout, renderVerifyText(report, header, styleFor(io.stdout, io.env)));
  }
  return result.ok ? EXIT.ok : EXIT.failed;
}
