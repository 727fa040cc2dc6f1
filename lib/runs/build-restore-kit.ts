import type { Manifest } from '../core/manifest.ts';
import type { TlsMode } from '../core/tls-modes.ts';
import { formatRange } from './format-range.ts';

/** Shell single-quoting: the text as one word, whatever it holds. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** `--<prefix>ssl-*` options taken from `<VAR>_SSL_*` environment variables, each only when set. */
function tlsArgs(flagPrefix: '' | 'source-' | 'target-', envPrefix: string): string {
  return ['MODE', 'CA', 'CERT', 'KEY'].map((part) => `\${${envPrefix}_SSL_${part}:+--${flagPrefix}ssl-${part.toLowerCase()} "$${envPrefix}_SSL_${part}"}`).join(' ');
}

/**
 * A shell script with the exact restore, verify and point-in-time commands for one dump. No
 * password, certificate or key is written into it: the target and source URIs come from the
 * environment, and TLS settings from `PARADUMP_SSL_*` (target) / `PARADUMP_SOURCE_SSL_*` (source,
 * whose mode defaults to the saved server's).
 */
export function buildRestoreScript({ manifest, outDir, runId, threads = 4, sourceTlsMode = null }: { manifest: Manifest; outDir: string; runId: string; threads?: number; sourceTlsMode?: TlsMode | null }): string {
  const source = `mysql://USER@${manifest.source.host.includes(':') ? `[${manifest.source.host}]` : manifest.source.host}:${manifest.source.port}`;
  const binlog = manifest.consistency.binlog;
  const enc = manifest.encryption;
  // An encrypted dump's key file, by path from the environment: the kit never holds the key.
  const key = enc ? ' --decrypt-key-file "$KEY_FILE"' : '';
  const lines = [
    '#!/bin/sh',
    `# paradump restore kit — run ${runId}`,
    `# Dump of ${manifest.source.flavor} ${manifest.source.version} at ${manifest.source.host}:${manifest.source.port}, ${manifest.startedAt} to ${manifest.finishedAt}`,
    `# ${manifest.totals.tables} tables, ${manifest.totals.chunks} chunks, ${manifest.totals.rows} rows, ${manifest.totals.bytes} bytes`,
    `# Consistency: ${manifest.consistency.note}`,
    ...(manifest.options.format === 'tsv' ? ['# Data files are tsv, loaded with LOAD DATA LOCAL INFILE: the target needs local_infile = ON.'] : []),
    binlog ? `# Binlog coordinates: ${binlog.file}:${binlog.position}${manifest.consistency.gtid ? `, GTID ${manifest.consistency.gtid}` : ''}` : '# No instance-wide binlog coordinates: point-in-time recovery from this dump is not possible.',
    '#',
    '# Usage: PARADUMP_TARGET=mysql://user:password@host:port sh restore-kit.sh',
    '# TLS to the target: PARADUMP_SSL_MODE=off|required|verify-ca|verify-identity, and the PEM files',
    '# PARADUMP_SSL_CA, PARADUMP_SSL_CERT, PARADUMP_SSL_KEY (paths) when needed.',
    '# Passwords, certificates and keys are never written into this file.',
    'set -eu',
    '',
    `DUMP_DIR=\${DUMP_DIR:-${shellQuote(outDir)}}`,
    'PARADUMP=${PARADUMP:-paradump}',
    'TARGET=${PARADUMP_TARGET:?set PARADUMP_TARGET to mysql://user:password@host:port of the server to restore into}',
    ...(enc ? [`KEY_FILE=\${PARADUMP_KEY_FILE:?the dump is encrypted (key ${enc.keyId}): set PARADUMP_KEY_FILE to the path of its key file}`] : []),
    '',
    '# 1. Check every file against the checksums in manifest.json before touching the target.',
    `"$PARADUMP" verify --from "$DUMP_DIR"${key}`,
    '',
    '# 2. Load schema and data (add --rename source_db:target_db to restore under another name).',
    ...(manifest.accounts
      ? [`#    The dump holds ${manifest.accounts.list.filter((a) => !a.isRole).length} users and ${manifest.accounts.list.filter((a) => a.isRole).length} roles: add --users to create them (--skip-existing-users leaves those the target has).`]
      : []),
    `"$PARADUMP" restore --from "$DUMP_DIR" --target "$TARGET" --threads ${threads}${key} ${tlsArgs('', 'PARADUMP')}`,
    '',
    '# 3. Compare the rows now in the target with the per-chunk content hashes of the dump.',
    `"$PARADUMP" verify --from "$DUMP_DIR" --target "$TARGET"${key} ${tlsArgs('', 'PARADUMP')}`,
    '',
  ];
  if (binlog) {
    lines.push(
      `# 4. Optional: replay the source's binary log from ${binlog.file}:${binlog.position} up to a point in time.`,
      `#    Set PARADUMP_SOURCE=${source} (with the password) and PARADUMP_UNTIL=end | 'YYYY-MM-DD hh:mm:ss' | file:position.`,
      ...(sourceTlsMode && sourceTlsMode !== 'off'
        ? [`#    The source was saved with TLS ${sourceTlsMode}; give its PEM files as PARADUMP_SOURCE_SSL_CA / _CERT / _KEY.`]
        : ['#    TLS to the source: PARADUMP_SOURCE_SSL_MODE, PARADUMP_SOURCE_SSL_CA / _CERT / _KEY.']),
      ...(sourceTlsMode && sourceTlsMode !== 'off' ? [`PARADUMP_SOURCE_SSL_MODE=\${PARADUMP_SOURCE_SSL_MODE:-${sourceTlsMode}}`] : []),
      'if [ -n "${PARADUMP_SOURCE:-}" ]; then',
      `  "$PARADUMP" pitr --from "$DUMP_DIR" --source "$PARADUMP_SOURCE" --target "$TARGET" --until "\${PARADUMP_UNTIL:-end}" ${tlsArgs('source-', 'PARADUMP_SOURCE')} ${tlsArgs('target-', 'PARADUMP')}`,
      'fi',
      '',
    );
  }
  return lines.join('\n');
}

/** A plain-text summary: coordinates, consistency, tables and every chunk's checksum. */
export function buildSummary({ manifest, outDir, runId }: { manifest: Manifest; outDir: string; runId: string }): string {
  const c = manifest.consistency;
  const out = [
    `paradump dump summary — run ${runId}`,
    `Directory:   ${outDir}`,
    `Source:      ${manifest.source.flavor} ${manifest.source.version} at ${manifest.source.host}:${manifest.source.port}`,
    `Taken:       ${manifest.startedAt} to ${manifest.finishedAt}${manifest.resumedAt.length ? ` (resumed ${manifest.resumedAt.length}×)` : ''}`,
    `Consistency: ${c.consistent ? 'one point in time' : `consistent within ${c.consistentWithin}`} (${c.mode}) — ${c.note}`,
    `Binlog:      ${c.binlog ? `${c.binlog.file}:${c.binlog.position}` : 'none'}${c.gtid ? `   GTID: ${c.gtid}` : ''}`,
    `Totals:      ${manifest.totals.tables} tables (${manifest.totals.skippedTables} skipped), ${manifest.totals.chunks} chunks, ${manifest.totals.rows} rows, ${manifest.totals.bytes} bytes`,
    '',
  ];
  for (const t of manifest.tables) {
    out.push(`${t.database}.${t.table}  rows=${t.rows} bytes=${t.bytes} chunks=${t.chunks.length}${t.skipped ? `  SKIPPED ${t.skipped.code}: ${t.skipped.reason}` : ''}`);
    for (const ch of t.chunks) {
      out.push(`  #${ch.index}  ${formatRange({ chunkKey: t.chunkKey, lower: ch.lower, upper: ch.upper })}  rows=${ch.rows}  sha256=${ch.sha256}  ${ch.file}`);
    }
  }
  if (manifest.warnings.length) {
    out.push('', 'Warnings:');
    for (const w of manifest.warnings) out.push(`  ${w.code}: ${w.message}`);
  }
  return out.join('\n') + '\n';
}
