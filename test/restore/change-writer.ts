import { randomInt } from 'node:crypto';
import { connect, quoteIdent, type Connection } from '../harness/db.ts';

/**
 * A writer for point-in-time recovery tests: inserts, updates and deletes across two databases and
 * four tables (one without a key), some transactions spanning both databases. Every transaction
 * also inserts its sequence number into `dbA.ledger`, and the writer logs what it committed when.
 * `pause()` waits until nothing is in flight, so a test can read the source's exact state and
 * binlog position "at that point", then `resume()`.
 */

export interface CommitRecord {
  seq: number;
  kind: string;
  /** When COMMIT returned (client clock, same machine as the server). */
  at: string;
}

export interface ChangeWriter {
  readonly log: readonly CommitRecord[];
  readonly committed: number;
  /** Resolves once every connection is idle between transactions. */
  pause(): Promise<void>;
  resume(): void;
  /** Stops after in-flight transactions; rejects if a writer failed. */
  stop(): Promise<void>;
}

export async function createChangeTables(uri: string, dbA: string, dbB: string): Promise<void> {
  const c = await connect(uri);
  try {
    const A = quoteIdent(dbA);
    const B = quoteIdent(dbB);
    await c.query(`CREATE DATABASE ${A}; CREATE DATABASE ${B}`);
    await c.query(`CREATE TABLE ${A}.accounts (id INT NOT NULL PRIMARY KEY, balance BIGINT NOT NULL, note VARCHAR(40) NULL, KEY k_balance (balance)) ENGINE=InnoDB`);
    await c.query(`CREATE TABLE ${A}.ledger (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, seq INT NOT NULL, kind VARCHAR(12) NOT NULL, amount INT NULL, at DATETIME(6) NOT NULL) ENGINE=InnoDB`);
    await c.query(`CREATE TABLE ${B}.items (a INT NOT NULL, b VARCHAR(12) NOT NULL, qty INT NOT NULL, label VARCHAR(30) CHARACTER SET latin1 NULL, PRIMARY KEY (a, b)) ENGINE=InnoDB`);
    await c.query(`CREATE TABLE ${B}.notes (txt VARCHAR(50) NULL, n INT NULL) ENGINE=InnoDB`);
    const accounts = Array.from({ length: 200 }, (_, i) => [i + 1, 10_000, i % 3 === 0 ? null : `acct ${i + 1}`]);
    await c.query(`INSERT INTO ${A}.accounts (id, balance, note) VALUES ?`, [accounts]);
    const items = Array.from({ length: 150 }, (_, i) => [i % 10, `b${String(i).padStart(4, '0')}`, i, i % 4 === 0 ? 'caf\u00e9' : null]);
    await c.query(`INSERT INTO ${B}.items (a, b, qty, label) VALUES ?`, [items]);
    await c.query(`INSERT INTO ${B}.notes VALUES ('first', 1), ('dup', 2), ('dup', 2), (NULL, NULL)`);
  } finally {
    await c.end();
  }
}

const RETRYABLE = new Set([1213, 1205]);

export async function startChangeWriter(options: { uri: string; dbA: string; dbB: string; concurrency?: number; txPerSecond?: number }): Promise<ChangeWriter> {
  const concurrency = options.concurrency ?? 2;
  const txPerSecond = options.txPerSecond ?? 150;
  const A = quoteIdent(options.dbA);
  const B = quoteIdent(options.dbB);
  const conns = await Promise.all(Array.from({ length: concurrency }, () => connect(options.uri)));
  const log: CommitRecord[] = [];
  let seq = 0;
  let stopping = false;
  let paused = false;
  let failure: unknown;
  let idle = 0;
  let wake: (() => void) | null = null;
  let wakeup = new Promise<void>((r) => (wake = r));
  let idleWaiters: (() => void)[] = [];
  const intervalMs = (1000 * concurrency) / txPerSecond;

  const transaction = async (c: Connection, n: number): Promise<string> => {
    const kind = ['move', 'move', 'cross', 'insert', 'delete', 'note', 'unnote'][randomInt(7)]!;
    let amount: number | null = null;
    await c.query('START TRANSACTION');
    switch (kind) {
      case 'move': {
        const [x, y] = [randomInt(1, 201), randomInt(1, 201)].sort((p, q) => p - q) as [number, number];
        amount = randomInt(1, 50);
        await c.query(`UPDATE ${A}.accounts SET balance = balance - ? WHERE id = ?`, [amount, x]);
        await c.query(`UPDATE ${A}.accounts SET balance = balance + ?, note = ? WHERE id = ?`, [amount, `moved ${n}`, y]);
        break;
      }
      case 'cross': {
        amount = randomInt(1, 9);
        await c.query(`UPDATE ${A}.accounts SET balance = balance - ? WHERE id = ?`, [amount, randomInt(1, 201)]);
        await c.query(`UPDATE ${B}.items SET qty = qty + ?, label = ? WHERE a = ? ORDER BY b LIMIT 1`, [amount, `x\u00e9${n}`, randomInt(10)]);
        break;
      }
      case 'insert':
        await c.query(`INSERT INTO ${B}.items (a, b, qty, label) VALUES (?, ?, ?, ?)`, [n % 10, `n${String(n).padStart(6, '0')}`, n, n % 2 ? 'r\u00e9sum\u00e9' : null]);
        break;
      case 'delete':
        await c.query(`DELETE FROM ${B}.items WHERE a = ? ORDER BY qty LIMIT 1`, [randomInt(10)]);
        break;
      case 'note':
        await c.query(`INSERT INTO ${B}.notes VALUES (?, ?)`, [n % 5 === 0 ? 'dup' : `note ${n}`, n % 5 === 0 ? 2 : n]);
        break;
      case 'unnote':
        await c.query(`DELETE FROM ${B}.notes WHERE txt = 'dup' LIMIT 1`);
        break;
    }
    await c.query(`INSERT INTO ${A}.ledger (seq, kind, amount, at) VALUES (?, ?, ?, NOW(6))`, [n, kind, amount]);
    await c.query('COMMIT');
    return kind;
  };

  const work = async (c: Connection) => {
    let next = Date.now();
    while (!stopping) {
      if (paused) {
        idle++;
        if (idle === concurrency) for (const w of idleWaiters.splice(0)) w();
        await wakeup;
        idle--;
        next = Date.now();
        continue;
      }
      const n = ++seq;
      for (;;) {
        try {
          const kind = await transaction(c, n);
          log.push({ seq: n, kind, at: new Date().toISOString() });
          break;
        } catch (error) {
          await c.query('ROLLBACK').catch(() => undefined);
          const errno = (error as { errno?: number }).errno;
          if (errno !== undefined && RETRYABLE.has(errno)) continue;
          failure ??= error;
          stopping = true;
          return;
        }
      }
      next += intervalMs;
      const wait = next - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      else if (wait < -1000) next = Date.now();
    }
  };
  const running = Promise.all(conns.map((c) => work(c)));

  return {
    log,
    get committed() {
      return log.length;
    },
    pause() {
      paused = true;
      if (idle === concurrency || stopping) return Promise.resolve();
      return new Promise<void>((r) => idleWaiters.push(r));
    },
    resume() {
      paused = false;
      const w = wake;
      wakeup = new Promise<void>((r) => (wake = r));
      w?.();
    },
    async stop() {
      stopping = true;
      paused = false;
      wake?.();
      await running;
      await Promise.all(conns.map((c) => c.end().catch(() => undefined)));
      idleWaiters = [];
      if (failure) throw failure;
    },
  };
}

/** Waits until the writer has committed `more` transactions more (a fixed sleep gave too few on a busy machine). */
export async function commitsMore(writer: { committed: number }, more: number): Promise<void> {
  const want = writer.committed + more;
  const end = Date.now() + 60_000;
  while (writer.committed < want) {
    if (Date.now() > end) throw new Error(`the writer committed ${writer.committed} of ${want} transactions in 60 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
