import Database from 'better-sqlite3';
import { SqliteIntrospector } from './dist/introspect/sqlite-introspector.js';
import { generateMappings } from './dist/mapping/generate-mapping.js';
import { profileSqliteTimeFormats } from './dist/replicator/values/profile-time-format.js';
const db = new Database('/tmp/perfd-work/b-source.db', { readonly: true });
let t = performance.now();
const s = new SqliteIntrospector(db).introspectSync();
console.log('introspect sqlite', (performance.now() - t).toFixed(1));
t = performance.now();
const m = generateMappings(s, s);
console.log('generate', (performance.now() - t).toFixed(1), m.length, m.reduce((n, x) => n + x.columns.filter((c) => ['timestamp','timestamptz','date'].includes(c.type)).length, 0));
for (let i = 0; i < 3; i++) { t = performance.now(); profileSqliteTimeFormats(db, m); console.log('profile', (performance.now() - t).toFixed(1)); }
