/**
 * node-postgres type parsers that hand back every value as PostgreSQL's own text: no JS
 * Date for timestamps, no double for numeric or int8, no object for json. Pass as
 * `types` to a pg.Client or a query, with the session settings that make the text
 * exact (TimeZone UTC, DateStyle ISO, extra_float_digits 3, bytea_output hex).
 */
import type pg from 'pg';

const rawText = (text: string): string => text;

export const rawTextTypes: pg.CustomTypesConfig = {
  getTypeParser: () => rawText,
};
