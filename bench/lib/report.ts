import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { median } from './measure.ts';
import type { RunResult, Variant } from './tools.ts';

export interface Sample extends RunResult {
  suite: 'dump' | 'restore' | 'rss' | 'startup';
  variant: string;
  tool: Variant['tool'] | 'paradump';
  label: string;
  threads: number;
  rep: number;
  /** CPU seconds the MariaDB server used during the run (dump: the source; restore: the target). */
  serverCpuS?: number;
}

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  config: { tables: number; rows: number; repeats: number; threads: number[]; chunkRows: number; bufferPool: string; bigFactor: number };
  dataset: { database: string; how: string; bigHow: string | null; innodbBytes: number };
  machine: Record<string, unknown> & { cpu: string; cores: number; memoryGiB: number; kernel: string; node: string; server: string; tools: Record<string, string | null>; loadAverageAtStart: string };
  code?: { commit: string | null; modified: string[] };
  samples: Sample[];
}

export interface Row {
  suite: Sample['suite'];
  variant: string;
  label: string;
  threads: number;
  runs: number;
  wallS: number;
  wallMinS: number;
  wallMaxS: number;
  peakRssMiB: number;
  cpuS: number;
  serverCpuS: number | null;
  outputMB: number | null;
  mbPerS: number | null;
  rowsPerS: number;
  lockHoldMs: number | null;
  peer: string | null;
  ratio: number | null;
}

export interface Target {
  target: string;
  threads: number | null;
  value: string;
  met: boolean | null;
}

const PEERS: Record<string, string> = {
  'paradump-none': 'mydumper',
  'paradump-gzip': 'mydumper-c',
  'paradump-zstd': 'mydumper-c',
  'paradump-zstd1': 'mydumper-c',
  'paradump-restore-none': 'myloader',
  'paradump-restore-zstd': 'myloader',
  'paradump-restore-none-indexes-first': 'myloader',
  'paradump-restore-none-insert': 'myloader',
  'paradump-tsv-none': 'mydumper',
  'paradump-restore-tsv-none': 'myloader',
  'paradump-tsv-zstd': 'mydumper-c',
  'paradump-restore-tsv-zstd': 'myloader',
};

const MB = 1e6;

/** Milliseconds as measured (floating-point sums): three decimals at most. */
const round3 = (ms: number) => Math.round(ms * 1000) / 1000;

export function buildReport(results: BenchResults): { text: string; markdown: string; summary: { rows: Row[]; targets: Target[]; sqlBytes: number | null } } {
  const { samples, config } = results;
  const totalRows = config.tables * config.rows;
  // MB/s on one basis for every tool: the dataset's size as uncompressed SQL (paradump's none dump).
  const sqlBytes = median(samples.filter((s) => s.variant === 'paradump-none' && s.outputBytes).map((s) => s.outputBytes!));
  const basis = Number.isFinite(sqlBytes) ? sqlBytes : null;

  const groups = new Map<string, Sample[]>();
  for (const s of samples) {
    const key = `${s.suite}\u0000${s.variant}\u0000${s.threads}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const rows: Row[] = [];
  for (const list of groups.values()) {
    const s0 = list[0]!;
    const wall = median(list.map((s) => s.wallMs)) / 1000;
    const outs = list.filter((s) => s.outputBytes !== undefined).map((s) => s.outputBytes!);
    const holds = list.filter((s) => s.lockHoldMs !== undefined).map((s) => s.lockHoldMs!);
    const rowCount = s0.suite === 'rss' ? (s0.variant.endsWith('large') ? config.rows * config.bigFactor : config.rows) : totalRows;
    rows.push({
      suite: s0.suite,
      variant: s0.variant,
      label: s0.label,
      threads: s0.threads,
      runs: list.length,
      wallS: wall,
      wallMinS: Math.min(...list.map((s) => s.wallMs)) / 1000,
      wallMaxS: Math.max(...list.map((s) => s.wallMs)) / 1000,
      peakRssMiB: median(list.map((s) => s.peakRssMiB)),
      cpuS: median(list.map((s) => s.cpuS)),
      serverCpuS: list.some((s) => s.serverCpuS !== undefined) ? median(list.flatMap((s) => (s.serverCpuS === undefined ? [] : [s.serverCpuS]))) : null,
      outputMB: outs.length ? median(outs) / MB : null,
      mbPerS: basis && (s0.suite === 'dump' || s0.suite === 'restore') ? basis / MB / wall : null,
      rowsPerS: rowCount / wall,
      lockHoldMs: holds.length ? median(holds) : null,
      peer: null,
      ratio: null,
    });
  }
  const find = (suite: string, variant: string, threads: number) => rows.find((r) => r.suite === suite && r.variant === variant && r.threads === threads);
  for (const r of rows) {
    const peer = PEERS[r.variant];
    if (!peer) continue;
    const p = find(r.suite, peer, r.threads);
    if (!p) continue;
    r.peer = peer;
    r.ratio = r.wallS / p.wallS;
  }
  const order = ['paradump-none', 'paradump-tsv-none', 'paradump-gzip', 'paradump-zstd', 'paradump-tsv-zstd', 'paradump-zstd1', 'mydumper', 'mydumper-c', 'mariadb-dump', 'floor-client', 'floor-mysql2', 'floor-stream', 'paradump-restore-none', 'paradump-restore-tsv-none', 'paradump-restore-zstd', 'paradump-restore-tsv-zstd', 'paradump-restore-none-insert', 'paradump-restore-none-indexes-first', 'myloader', 'mariadb'];
  rows.sort((a, b) => suiteRank(a.suite) - suiteRank(b.suite) || a.threads - b.threads || rank(order, a.variant) - rank(order, b.variant) || a.variant.localeCompare(b.variant));

  const targets: Target[] = [];
  const threadsList = [...new Set(rows.filter((r) => r.suite === 'dump' && r.threads > 1).map((r) => r.threads))];
  const ratioTarget = (target: string, suite: string, a: string, b: string, max: number) => {
    for (const t of threadsList) {
      const x = find(suite, a, t);
      const y = find(suite, b, t);
      if (!x || !y) continue;
      const ratio = x.wallS / y.wallS;
      targets.push({ target, threads: t, value: `${x.wallS.toFixed(2)} s ÷ ${y.wallS.toFixed(2)} s = ${ratio.toFixed(2)}`, met: ratio <= max });
    }
  };
  ratioTarget('dump wall ≤ 0.8 × mydumper (uncompressed)', 'dump', 'paradump-none', 'mydumper', 0.8);
  ratioTarget('restore wall ≤ 0.8 × myloader', 'restore', 'paradump-restore-none', 'myloader', 0.8);
  ratioTarget('restore wall ≤ 0.8 × myloader, tsv dump (LOAD DATA)', 'restore', 'paradump-restore-tsv-none', 'myloader', 0.8);
  ratioTarget('dump wall ≤ 0.8 × mydumper (uncompressed, tsv)', 'dump', 'paradump-tsv-none', 'mydumper', 0.8);
  ratioTarget('restore wall ≤ 0.8 × myloader, SQL dump loaded as INSERTs (--load-method insert)', 'restore', 'paradump-restore-none-insert', 'myloader', 0.8);
  ratioTarget('restore wall ≤ 0.8 × myloader, with --no-defer-indexes', 'restore', 'paradump-restore-none-indexes-first', 'myloader', 0.8);
  // The floor is the fastest of the plain readers measured (the mariadb client spends a lot of its
  // time formatting rows; paradump's own reader without the encoder is usually fastest).
  for (const [variant, what] of [['paradump-none', ''], ['paradump-tsv-none', ', tsv']] as const) for (const t of threadsList) {
    const x = find('dump', variant, t);
    const floors = rows.filter((r) => r.suite === 'dump' && r.threads === t && r.variant.startsWith('floor-'));
    if (!x || floors.length === 0) continue;
    const floor = floors.reduce((a, b) => (b.wallS < a.wallS ? b : a));
    const ratio = x.wallS / floor.wallS;
    targets.push({ target: `dump ≤ 1.5 × raw-read floor (fastest plain reader${what})`, threads: t, value: `${x.wallS.toFixed(2)} s ÷ ${floor.wallS.toFixed(2)} s (${floor.label}) = ${ratio.toFixed(2)}`, met: ratio <= 1.5 });
  }
  const paradumpRss = rows.filter((r) => r.variant.startsWith('paradump') && r.suite !== 'startup');
  if (paradumpRss.length) {
    const worst = paradumpRss.reduce((a, b) => (b.peakRssMiB > a.peakRssMiB ? b : a));
    const maxAll = Math.max(...samples.filter((s) => s.variant.startsWith('paradump') && s.suite !== 'startup').map((s) => s.peakRssMiB));
    targets.push({ target: 'peak RSS ≤ 256 MiB', threads: null, value: `highest median ${worst.peakRssMiB.toFixed(0)} MiB (${worst.label}, t=${worst.threads}); highest single run ${maxAll.toFixed(0)} MiB`, met: maxAll <= 256 });
  }
  const small = rows.find((r) => r.suite === 'rss' && r.variant.endsWith('small'));
  const large = rows.find((r) => r.suite === 'rss' && r.variant.endsWith('large'));
  if (small && large) {
    const ratio = large.peakRssMiB / small.peakRssMiB;
    targets.push({ target: `peak RSS independent of table size (${config.bigFactor}× rows)`, threads: small.threads, value: `${small.peakRssMiB.toFixed(0)} MiB → ${large.peakRssMiB.toFixed(0)} MiB (× ${ratio.toFixed(2)})`, met: ratio <= 1.15 });
  }
  const holds = samples.filter((s) => s.lockHoldMs !== undefined).map((s) => s.lockHoldMs!);
  if (holds.length) {
    const m = median(holds);
    targets.push({ target: 'commits blocked (global lock hold) ≤ 10 ms median', threads: null, value: `median ${round3(m)} ms over ${holds.length} dumps (max ${round3(Math.max(...holds))} ms)`, met: m <= 10 });
  }
  ratioTarget('gzip dump not slower than mydumper -c', 'dump', 'paradump-gzip', 'mydumper-c', 1.0);
  ratioTarget('zstd dump not slower than mydumper -c', 'dump', 'paradump-zstd', 'mydumper-c', 1.0);

  return { text: renderText(rows, targets, basis), markdown: renderMarkdown(results, rows, targets, basis), summary: { rows, targets, sqlBytes: basis } };
}

function suiteRank(s: string): number {
  return ['dump', 'restore', 'rss', 'startup'].indexOf(s);
}

function rank(order: string[], v: string): number {
  const i = order.indexOf(v);
  return i < 0 ? order.length : i;
}

const f = (n: number | null, d = 1) => (n === null || !Number.isFinite(n) ? '–' : n.toFixed(d));
const k = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : `${(n / 1e3).toFixed(0)} k`);

function renderText(rows: Row[], targets: Target[], basis: number | null): string {
  const lines: string[] = [];
  const head = ['suite', 't', 'variant', 'wall s', 'min–max', 'RSS MiB', 'CPU s', 'server CPU s', 'MB/s', 'rows/s', 'out MB', 'lock ms', '÷ peer'];
  const table = rows.map((r) => [
    r.suite,
    String(r.threads),
    r.label,
    f(r.wallS, 2),
    `${f(r.wallMinS, 1)}–${f(r.wallMaxS, 1)}`,
    f(r.peakRssMiB, 0),
    f(r.cpuS, 1),
    f(r.serverCpuS, 1),
    f(r.mbPerS, 0),
    k(r.rowsPerS),
    f(r.outputMB, 0),
    r.lockHoldMs === null ? '' : f(r.lockHoldMs, 0),
    r.ratio === null ? '' : `${r.ratio.toFixed(2)} (${r.peer})`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const fmt = (row: string[]) => row.map((c, i) => (i === 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  lines.push(fmt(head), widths.map((w) => '-'.repeat(w)).join('  '), ...table.map(fmt));
  lines.push('', `MB/s = dataset as uncompressed SQL (${basis ? (basis / MB).toFixed(0) : '?'} MB) ÷ wall time, for every tool.`, '', 'targets:');
  for (const t of targets) lines.push(`  ${t.met === null ? '?' : t.met ? 'MET    ' : 'NOT MET'}  ${t.target}${t.threads ? ` (t=${t.threads})` : ''}: ${t.value}`);
  return lines.join('\n');
}

function renderMarkdown(results: BenchResults, rows: Row[], targets: Target[], basis: number | null): string {
  const m = results.machine;
  const c = results.config;
  const out: string[] = [];
  out.push(
    `Run ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC – ${results.finishedAt.slice(11, 16)} UTC: ${c.tables} tables × ${c.rows.toLocaleString('en-US')} rows ` +
      `(InnoDB ${(results.dataset.innodbBytes / 2 ** 30).toFixed(2)} GiB, ${basis ? (basis / 1e9).toFixed(2) + ' GB' : '?'} as SQL), chunk ${c.chunkRows.toLocaleString('en-US')} rows, ` +
      `median of ${c.repeats} runs, tools alternating. Machine: ${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB RAM, Linux ${m.kernel}, Node ${m.node}, MariaDB ${m.server} ` +
      `(buffer pool ${c.bufferPool}), ${Object.entries(m.tools).filter(([, v]) => v).map(([, v]) => v).join('; ')}. Load average at start: ${m.loadAverageAtStart}. ` +
      `paradump at ${results.code?.commit ?? '?'}${results.code?.modified.length ? ` with uncommitted changes to ${results.code.modified.length} files (see bench/results.json)` : ''}.`,
    '',
  );
  const section = (title: string, list: Row[], withLock: boolean) => {
    if (!list.length) return;
    out.push(`**${title}**`, '', `| threads | tool | wall s (min–max) | ÷ peer | peak RSS MiB | CPU s | server CPU s | MB/s | rows/s | output MB |${withLock ? ' lock hold ms |' : ''}`, `|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|${withLock ? '---:|' : ''}`);
    for (const r of list) {
      out.push(
        `| ${r.threads} | ${r.label} | ${f(r.wallS, 2)} (${f(r.wallMinS, 1)}–${f(r.wallMaxS, 1)}) | ${r.ratio === null ? '' : `${r.ratio.toFixed(2)} × ${r.peer}`} | ${f(r.peakRssMiB, 0)} | ${f(r.cpuS, 1)} | ${f(r.serverCpuS, 1)} | ${f(r.mbPerS, 0)} | ${k(r.rowsPerS)} | ${f(r.outputMB, 0)} |${withLock ? ` ${r.lockHoldMs === null ? '' : f(r.lockHoldMs, 0)} |` : ''}`,
      );
    }
    out.push('');
  };
  section('Dump', rows.filter((r) => r.suite === 'dump'), true);
  section('Restore', rows.filter((r) => r.suite === 'restore'), false);
  section('Peak RSS against table size (paradump, zstd)', rows.filter((r) => r.suite === 'rss'), false);
  section('Startup (no work done)', rows.filter((r) => r.suite === 'startup'), false);
  out.push('**Targets (issue 7)**', '', '| target | threads | measured | met |', '|---|---:|---|---|');
  for (const t of targets) out.push(`| ${t.target} | ${t.threads ?? ''} | ${t.value} | ${t.met === null ? '?' : t.met ? 'yes' : '**no**'} |`);
  out.push('');
  return out.join('\n');
}

const START = '<!-- bench:results:start (written by npm run bench) -->';
const END = '<!-- bench:results:end -->';

/** Replaces the generated block of docs/benchmarks.md, leaving the hand-written text around it. */
export function writeDocs(file: string, markdown: string): void {
  const block = `${START}\n${markdown}\n${END}`;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : `# Benchmarks\n\n## Results\n\n${START}\n${END}\n`;
  const a = current.indexOf(START);
  const b = current.indexOf(END);
  const next = a >= 0 && b > a ? current.slice(0, a) + block + current.slice(b + END.length) : `${current.trimEnd()}\n\n## Results\n\n${block}\n`;
  writeFileSync(file, next);
}
