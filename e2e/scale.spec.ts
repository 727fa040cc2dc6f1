import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { saveServer } from './dashboard-steps.ts';
import { e2eShots } from './paths.ts';

// Issue 22: a server with thousands of small tables (a schema per tenant). The page must stay
// bounded however many tables and chunks the run has; the numbers measured here go to
// docs/benchmarks.md (e2e/output/scale-metrics.json), with only generous sanity bounds asserted.
const TABLES = 3000;
const ROWS = 20;
/** Far more than the page needs, far fewer than one node per table (24,000 before). */
const MAX_DOM_NODES = 3000;

const metricsFile = path.join(import.meta.dirname, 'output', 'scale-metrics.json');

async function domNodes(page: Page): Promise<number> {
  return page.evaluate(() => document.getElementsByTagName('*').length);
}

/** Chromium's performance.memory (MiB), null elsewhere. */
async function heapMiB(page: Page): Promise<number | null> {
  return page.evaluate(() => {
    const memory = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
    return memory ? Math.round((memory.usedJSHeapSize / 1024 / 1024) * 10) / 10 : null;
  });
}

/** Navigation to `url` until `ready` is visible, in ms, and the navigation's own DOMContentLoaded. */
async function timeLoad(page: Page, url: string, ready: () => Promise<void>): Promise<{ toReadyMs: number; domContentLoadedMs: number }> {
  const started = Date.now();
  await page.goto(url);
  await ready();
  const toReadyMs = Date.now() - started;
  const domContentLoadedMs = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    return nav ? Math.round(nav.domContentLoadedEventEnd) : -1;
  });
  return { toReadyMs, domContentLoadedMs };
}

test('a backup of 3000 tables: a bounded run page, a paged manifest browser', async ({ page, source }) => {
  test.setTimeout(900_000);
  const db = `e2e_scale_${Date.now().toString(36)}`;
  source.dropAfter(db);
  const createStarted = Date.now();
  // One round trip: a procedure creates and fills every table (MariaDB's sequence engine for the rows).
  await source.query(`CREATE DATABASE \`${db}\``);
  await source.query(`CREATE PROCEDURE \`${db}\`.make_tables(n INT)
    BEGIN
      DECLARE i INT DEFAULT 0;
      WHILE i < n DO
        SET @t = CONCAT('\`${db}\`.t', LPAD(i, 4, '0'));
        SET @create = CONCAT('CREATE TABLE ', @t, ' (id INT NOT NULL PRIMARY KEY, v VARCHAR(32) NOT NULL) ENGINE=InnoDB');
        PREPARE s FROM @create; EXECUTE s; DEALLOCATE PREPARE s;
        SET @fill = CONCAT('INSERT INTO ', @t, ' SELECT seq, CONCAT(''row '', seq) FROM seq_1_to_${ROWS}');
        PREPARE s FROM @fill; EXECUTE s; DEALLOCATE PREPARE s;
        SET i = i + 1;
      END WHILE;
    END`);
  await source.query(`CALL \`${db}\`.make_tables(${TABLES})`);
  const createMs = Date.now() - createStarted;

  // Counts every SSE message and its bytes, so frames/s and bytes/s can be reported.
  await page.addInitScript(() => {
    const Original = window.EventSource;
    const counters = { messages: 0, bytes: 0, first: 0, last: 0 };
    (window as unknown as { __sse: typeof counters }).__sse = counters;
    window.EventSource = class extends Original {
      constructor(url: string | URL, init?: EventSourceInit) {
        super(url, init);
        this.addEventListener('message', (event: MessageEvent<string>) => {
          counters.messages += 1;
          counters.bytes += event.data.length;
          counters.first ||= Date.now();
          counters.last = Date.now();
        });
      }
    };
  });

  await saveServer(page, source, `e2e scale ${db}`);
  await page.getByRole('checkbox', { name: new RegExp(`^${db}\\b`) }).check();
  await page.getByLabel('Threads').fill('2');
  await page.getByRole('combobox', { name: 'Compression' }).selectOption('none');
  const backupStarted = Date.now();
  await page.getByRole('button', { name: 'Start backup' }).click();
  await expect(page).toHaveURL(/\/runs\/[^/]+$/);
  const runUrl = new URL(page.url()).pathname;
  const runId = runUrl.split('/').at(-1)!;
  const bar = page.getByRole('progressbar', { name: 'Backup progress' });
  await expect(bar).toBeVisible();

  // While it runs: the manifest is not there yet, and the page says so (not "resume the run").
  const other = await page.context().newPage();
  await other.goto(`${runUrl}/manifest`);
  const notYet = other.getByRole('alert').filter({ hasText: 'The backup is still running' });
  await expect(notYet).toBeVisible();
  await expect(notYet).not.toContainText(/resume/i);
  await other.close();

  // Live, with many tables planned: the chunk map is a list of tables, not a card per table.
  await expect(page.getByRole('list', { name: 'Tables of the run' })).toBeVisible({ timeout: 120_000 });
  await expect.poll(async () => Number((await bar.getAttribute('aria-valuenow')) ?? 0), { timeout: 300_000 }).toBeGreaterThan(20);
  const liveNodes = await domNodes(page);
  const liveHeap = await heapMiB(page);
  expect(liveNodes).toBeLessThan(MAX_DOM_NODES);
  await page.screenshot({ path: path.join(e2eShots, 'scale-run-live.png'), fullPage: true });

  await expect(page.getByText('succeeded', { exact: true })).toBeVisible({ timeout: 600_000 });
  const backupMs = Date.now() - backupStarted;
  await expect(bar).toHaveAttribute('aria-valuetext', `100% · ${(TABLES * ROWS).toLocaleString('en')} rows`);
  const sse = await page.evaluate(() => (window as unknown as { __sse: { messages: number; bytes: number; first: number; last: number } }).__sse);
  const finishedNodes = await domNodes(page);
  expect(finishedNodes).toBeLessThan(MAX_DOM_NODES);

  // A fresh load of the finished run (from the store: counts per table, one grouped query).
  const load = await timeLoad(page, runUrl, () => expect(page.getByRole('list', { name: 'Tables of the run' })).toBeVisible());
  const loadedNodes = await domNodes(page);
  const loadedHeap = await heapMiB(page);
  expect(loadedNodes).toBeLessThan(MAX_DOM_NODES);
  // Sanity only (the target is < 1 s on this machine; the measured value goes to the docs).
  expect(load.toReadyMs).toBeLessThan(15_000);

  // Drill down into one table: its chunks, fetched for it alone.
  await page.getByRole('searchbox', { name: 'Find a table' }).fill('t0042');
  await page.getByRole('button', { name: new RegExp(`^${db}\\.t0042: 1 of 1 chunks`) }).click();
  const drilled = page.getByRole('region', { name: `Chunks of ${db}.t0042` });
  await expect(drilled.getByRole('button', { name: new RegExp(`^Chunk 0 of ${db}\\.t0042 · done · .*${ROWS} rows`) })).toBeVisible();

  // The manifest browser: one page of tables, searchable, paged, all server-side.
  const manifestLoad = await timeLoad(page, `${runUrl}/manifest`, () => expect(page.getByRole('heading', { level: 1, name: 'Manifest browser' })).toBeVisible());
  const tables = page.getByRole('table', { name: 'Tables in the manifest' });
  await expect(page.getByText(`${TABLES} of ${TABLES} tables`)).toBeVisible();
  await expect(tables.getByRole('row')).toHaveCount(51);
  const manifestNodes = await domNodes(page);
  expect(manifestNodes).toBeLessThan(MAX_DOM_NODES);
  const pager = page.getByRole('navigation', { name: 'Pages of tables' });
  await expect(pager).toContainText(`Page 1 of ${TABLES / 50}`);
  await pager.getByRole('link', { name: 'Next' }).click();
  await expect(pager).toContainText(`Page 2 of ${TABLES / 50}`);
  await expect(tables.getByRole('row').nth(1)).toContainText(`${db}.t0050`);
  await page.getByRole('searchbox', { name: 'Search tables' }).fill('t2999');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByText(`1 of ${TABLES} tables`)).toBeVisible();
  await page.getByRole('link', { name: `${db}.t2999`, exact: true }).click();
  await expect(page.getByRole('table', { name: `Chunks of ${db}.t2999` }).getByRole('row')).toHaveCount(2);
  await page.screenshot({ path: path.join(e2eShots, 'scale-manifest.png'), fullPage: true });

  const seconds = Math.max(1, (sse.last - sse.first) / 1000);
  const metrics = {
    runId,
    tables: TABLES,
    createTablesMs: createMs,
    backupMs,
    live: { domNodes: liveNodes, heapMiB: liveHeap },
    finished: { domNodes: finishedNodes },
    reload: { ...load, domNodes: loadedNodes, heapMiB: loadedHeap },
    sse: { messages: sse.messages, kB: Math.round(sse.bytes / 1024), messagesPerSecond: Math.round((sse.messages / seconds) * 10) / 10, kBPerSecond: Math.round(sse.bytes / 1024 / seconds) },
    manifest: { ...manifestLoad, domNodes: manifestNodes },
  };
  await mkdir(path.dirname(metricsFile), { recursive: true });
  await writeFile(metricsFile, `${JSON.stringify(metrics, null, 2)}\n`);
  test.info().annotations.push({ type: 'scale metrics', description: JSON.stringify(metrics) });
});
