/** The machine a run was measured on, printed with the table so numbers are never read alone. */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import type { ServerDescription } from './pg-admin.js';
import type { MachineInfo } from './results.js';

export function sqlite3Version(): string {
  const r = spawnSync('sqlite3', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? `sqlite3 ${r.stdout.split(' ')[0] ?? '?'}` : 'sqlite3 (not found)';
}

export const loadAverageNow = (): number => Math.round((loadavg()[0] ?? 0) * 100) / 100;

export function describeMachine(server: ServerDescription, profile: string, pgloader: string | null, loadAtStart: number): MachineInfo {
  const cpuList = cpus();
  return {
    cores: cpuList.length,
    cpu: cpuList[0]?.model.trim() ?? '?',
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${osType()} ${release()}`,
    node: process.version,
    postgres: server.version,
    postgresSettings: server.settings,
    postgresProfile: profile,
    sqlite3: sqlite3Version(),
    pgloader,
    loadAverage: { start: loadAtStart, end: loadAverageNow() },
  };
}
