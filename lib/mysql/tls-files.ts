import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ConnectionTls, TlsFilePaths } from './tls.ts';

/**
 * The PEM text of TLS settings as files, for external client programs that take only paths: in a
 * fresh directory of their own (mode 0700, each file 0600 and created exclusively), one set per
 * named connection (`source-ca.pem`, `source-key.pem`, …). `remove()` deletes them: call it in a
 * `finally`. Settings without PEM write nothing, and then no directory is made.
 */
export class TlsFiles {
  private constructor(
    /** The private directory, or null when there was nothing to write. */
    readonly dir: string | null,
    private readonly paths: ReadonlyMap<string, TlsFilePaths>,
  ) {}

  static async write(settings: Record<string, ConnectionTls | null | undefined>): Promise<TlsFiles> {
    const wanted = Object.entries(settings).filter((e): e is [string, ConnectionTls] => !!e[1] && e[1].mode !== 'off' && !!(e[1].ca || e[1].cert || e[1].key));
    if (wanted.length === 0) return new TlsFiles(null, new Map());
    const dir = await mkdtemp(path.join(tmpdir(), 'paradump-client-tls-'));
    const paths = new Map<string, TlsFilePaths>();
    try {
      await chmod(dir, 0o700);
      for (const [name, tls] of wanted) {
        const files: TlsFilePaths = {};
        for (const field of ['ca', 'cert', 'key'] as const) {
          const pem = tls[field];
          if (!pem) continue;
          const file = path.join(dir, `${name}-${field}.pem`);
          await writeFile(file, pem, { mode: 0o600, flag: 'wx' });
          files[field] = file;
        }
        paths.set(name, files);
      }
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    return new TlsFiles(dir, paths);
  }

  /** The files written for one connection (none: an empty object). */
  of(name: string): TlsFilePaths {
    return this.paths.get(name) ?? {};
  }

  async remove(): Promise<void> {
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}
