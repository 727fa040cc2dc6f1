// Fixed locale and time zone: pages render on the server, and the output must not depend on its settings.
const count = new Intl.NumberFormat('en');
const decimal = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });
const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

export function formatCount(value: number): string {
  return count.format(value);
}

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : decimal.format(value)} ${BYTE_UNITS[unit]}`;
}

/** `2026-11-23 19:51 UTC` */
export function formatTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `850 ms`, `42 s`, `3 min 07 s`, `2 h 05 min` */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** `1,234 rows/s` style numbers, rounded to what a person reads. */
export function formatRate(value: number): string {
  return value >= 100 ? count.format(Math.round(value)) : decimal.format(value);
}

/** `12.5 MB/s` in MiB, one decimal. */
export function formatMiBPerSecond(bytesPerSecond: number): string {
  return `${decimal.format(bytesPerSecond / 1024 / 1024)} MiB/s`;
}

/** `14:03:27.120` (UTC) for a timeline. */
export function formatClock(iso: string): string {
  return `${iso.slice(11, 23)}`;
}

/** `1.2 ms`, `350 ms`, `4.1 s` */
export function formatMs(ms: number): string {
  if (ms < 10) return `${decimal.format(ms)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${decimal.format(ms / 1000)} s`;
}
