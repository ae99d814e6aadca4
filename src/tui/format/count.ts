/**
 * Row counts and rates. Exact counts use a fixed thousands separator (not the locale's)
 * so screens and tests read the same everywhere; compact counts keep a status bar short.
 */

/** 1234567 -> "1,234,567" */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const sign = n < 0 ? '-' : '';
  return sign + String(Math.trunc(Math.abs(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 950 -> "950", 41234 -> "41.2k", 1500000 -> "1.5M" (999960 -> "1M", not "1000k") */
export function formatCompact(n: number): string {
  if (!Number.isFinite(n)) return '—';
  if (Math.abs(n) < 999.5) return String(Math.round(n));
  const units = ['k', 'M', 'G', 'T'];
  let value = n / 1000;
  for (let i = 0; i < units.length; i++) {
    const rounded = Math.round(value * 10) / 10;
    if (Math.abs(rounded) < 1000 || i === units.length - 1) return `${trim1(rounded)}${units[i]}`;
    value /= 1000;
  }
  return String(n);
}

/** 41234 -> "41.2k rows/s" */
export function formatRate(rowsPerSecond: number): string {
  return `${formatCompact(Math.max(0, rowsPerSecond))} rows/s`;
}

/** done of total as "37%", or "" when the total is unknown or zero */
export function formatPercent(done: number, total: number | null): string {
  if (total === null || total <= 0) return '';
  return `${Math.min(100, Math.floor((done / total) * 100))}%`;
}

function trim1(x: number): string {
  const fixed = x.toFixed(1);
  return fixed.endsWith('.0') ? fixed.slice(0, -2) : fixed;
}
