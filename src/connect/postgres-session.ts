/**
 * Session settings that make PostgreSQL's text output exact and zone-stable: every session
 * replicate reads or writes through runs them first (the main one, the spare one, the
 * reader thread's).
 */
export const SESSION_SETTINGS = "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 3; SET bytea_output = 'hex'; SET IntervalStyle = 'postgres'";
