/**
 * A mapping's row filter (`filter: store_id = :store`): an SQL boolean expression over
 * PostgreSQL column names with :params. It is compiled for the side it is read on: on
 * PostgreSQL as written; on SQLite with each mapped column name translated to its SQLite
 * name. :params become placeholders bound to values from the run's configuration, never
 * pasted into the SQL. Literals, quoted names, comments and `::` casts are recognised so
 * nothing inside them is mistaken for a column or a parameter.
 */
import { ConfigError } from '../../errors.js';
import { quoteIdent } from '../../sql/quote.js';
import type { TablePlan } from '../run-plan.js';

/** A value for a :param; the CLI gives text, a config file or the library may give numbers. */
export type FilterParamValue = string | number | bigint | boolean | null;
export type FilterParams = Readonly<Record<string, FilterParamValue>>;

type Token =
  | { kind: 'sql'; text: string }
  /** a name: `name` as PostgreSQL reads it (unquoted ones fold to lower case); function and type names are plain sql */
  | { kind: 'name'; name: string; text: string }
  | { kind: 'param'; name: string };

/** The filter as the reader embeds it: `render` takes the next placeholder each time it needs one. */
export interface CompiledFilter {
  render(next: () => string): string;
  /** bound values, in the order `render` asks for placeholders */
  values: (string | number | bigint | null)[];
  /** the filter with its parameter values, for people (checkpoint tags, the plan) */
  describe: string;
}

const NAME_START = /[A-Za-z_\u0080-\uffff]/;
const NAME_PART = /[A-Za-z0-9_$\u0080-\uffff]/;

function filterError(table: string, filter: string, problem: string): ConfigError {
  return new ConfigError(`table ${quoteIdent(table)}: row filter ${JSON.stringify(filter)}: ${problem}`, 'filter');
}

/** Splits a filter into names, :params and everything else (kept verbatim). */
export function tokenizeFilter(table: string, filter: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let afterCast = false;
  const sql = (text: string): void => {
    const last = out[out.length - 1];
    if (last?.kind === 'sql') last.text += text;
    else out.push({ kind: 'sql', text });
  };
  const quoted = (quote: string, backslash: boolean): string => {
    let j = i + 1;
    for (;;) {
      if (j >= filter.length) throw filterError(table, filter, `unterminated ${quote === "'" ? 'string literal' : 'quoted name'}`);
      const c = filter[j];
      if (backslash && c === '\\') j += 2;
      else if (c === quote && filter[j + 1] === quote) j += 2;
      else if (c === quote) return filter.slice(i, j + 1);
      else j++;
    }
  };
  while (i < filter.length) {
    const c = filter[i] as string;
    if (c === "'") {
      const text = quoted("'", false);
      sql(text);
      i += text.length;
    } else if (c === '"') {
      const text = quoted('"', false);
      if (afterCast) sql(text);
      else out.push({ kind: 'name', name: text.slice(1, -1).replaceAll('""', '"'), text });
      afterCast = false;
      i += text.length;
    } else if (c === '-' && filter[i + 1] === '-') {
      // a comment would swallow the rest of the query the filter is embedded in
      const end = filter.indexOf('\n', i);
      sql(' ');
      i = end < 0 ? filter.length : end;
    } else if (c === '/' && filter[i + 1] === '*') {
      const end = filter.indexOf('*/', i + 2);
      if (end < 0) throw filterError(table, filter, 'unterminated /* comment');
      sql(' ');
      i = end + 2;
    } else if (c === ';') {
      throw filterError(table, filter, 'a filter is one condition; ";" is not allowed');
    } else if (c === ':' && filter[i + 1] === ':') {
      sql('::');
      afterCast = true;
      i += 2;
    } else if (c === ':' && NAME_START.test(filter[i + 1] ?? '')) {
      let j = i + 1;
      while (j < filter.length && /[A-Za-z0-9_]/.test(filter[j] as string)) j++;
      out.push({ kind: 'param', name: filter.slice(i + 1, j) });
      i = j;
    } else if (c === '$' && /[0-9]/.test(filter[i + 1] ?? '')) {
      throw filterError(table, filter, 'use named :params, not $1 placeholders');
    } else if (c === '?') {
      // SQLite would take it for a placeholder; PostgreSQL's jsonb ? operators do not replicate to SQLite anyway
      throw filterError(table, filter, 'use named :params, not ? placeholders');
    } else if (NAME_START.test(c)) {
      let j = i + 1;
      while (j < filter.length && NAME_PART.test(filter[j] as string)) j++;
      const text = filter.slice(i, j);
      if ((text === 'E' || text === 'e') && filter[j] === "'") {
        // PostgreSQL's escape string E'...': backslashes escape
        i = j;
        const lit = quoted("'", true);
        sql(text + lit);
        i += lit.length;
        continue;
      }
      let k = j;
      while (k < filter.length && /\s/.test(filter[k] as string)) k++;
      const isFunction = filter[k] === '(';
      if (afterCast || isFunction) sql(text);
      else out.push({ kind: 'name', name: text.toLowerCase(), text });
      afterCast = false;
      i = j;
    } else {
      if (!/\s/.test(c)) afterCast = false;
      sql(c);
      i++;
    }
  }
  return out;
}

/** The :params a filter uses, in order of first use. */
export function filterParamNames(table: string, filter: string): string[] {
  return [...new Set(tokenizeFilter(table, filter).flatMap((t) => (t.kind === 'param' ? [t.name] : [])))];
}

function bindable(v: FilterParamValue): string | number | bigint | null {
  return typeof v === 'boolean' ? (v ? 1 : 0) : v;
}

/** Throws naming the table and every :param the filter needs that has no value. */
export function checkFilterParams(plan: Pick<TablePlan, 'table' | 'filter'>, params: FilterParams): void {
  if (plan.filter === null) return;
  const unset = filterParamNames(plan.table, plan.filter).filter((p) => !Object.hasOwn(params, p));
  if (unset.length === 0) return;
  const how = unset.map((p) => `--param ${p}=VALUE`).join(' ');
  throw new ConfigError(
    `table ${quoteIdent(plan.table)}: row filter ${JSON.stringify(plan.filter)} needs ${unset.map((p) => ':' + p).join(', ')}, which ${unset.length === 1 ? 'has' : 'have'} no value: pass ${how}, or set "params" in replicate.config.json`,
    `params.${unset[0] ?? ''}`,
  );
}

/**
 * The filter of a planned table for the side it is read on, or null when it has none.
 * On SQLite, a name that is a mapped PostgreSQL column becomes that column's SQLite name;
 * other names (a column local to SQLite, a keyword) are left as written.
 */
export function compileRowFilter(plan: TablePlan, side: 'postgres' | 'sqlite', params: FilterParams): CompiledFilter | null {
  if (plan.filter === null || plan.filter.trim() === '') return null;
  checkFilterParams(plan, params);
  const tokens = tokenizeFilter(plan.table, plan.filter);
  const sqliteName = new Map(plan.columns.map((c) => [c.pg, c.sqlite]));
  const values: (string | number | bigint | null)[] = [];
  const used: string[] = [];
  for (const t of tokens) {
    if (t.kind !== 'param') continue;
    values.push(bindable(params[t.name] ?? null));
    if (!used.includes(t.name)) used.push(t.name);
  }
  const shown = used.map((p) => `${p} = ${JSON.stringify(String(params[p]))}`).join(', ');
  const filter = plan.filter;
  return {
    values,
    describe: used.length > 0 ? `${filter} (${shown})` : filter,
    render(next) {
      let out = '';
      for (const t of tokens) {
        if (t.kind === 'sql') out += t.text;
        else if (t.kind === 'param') out += next();
        else if (side === 'sqlite' && sqliteName.has(t.name)) out += quoteIdent(sqliteName.get(t.name) ?? t.name);
        else out += t.text;
      }
      return `(${out})`;
    },
  };
}
