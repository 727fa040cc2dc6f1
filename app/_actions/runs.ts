'use server';

import { redirect } from 'next/navigation';
import { requireSession } from '@/lib/auth/require-session.ts';
import { z } from 'zod';
import { isParadumpError } from '@/lib/core/errors.ts';
import { cancelRun, resumeRun } from '@/lib/runs/control-run.ts';
import { expectedError } from '@/lib/runs/errors.ts';
import { startDump, StartDumpInput } from '@/lib/runs/start-dump.ts';
import { startRestore, StartRestoreInput } from '@/lib/runs/start-restore.ts';
// Restores from a verified copy open its saved target through this.
import '@/lib/targets/copy-source.ts';
import { fieldErrors, type FormState } from './state.ts';

/** Options the engine may refuse that the backup form has a field for. */
const FIELDS = ['outDir', 'maxRate', 'maxThreadsRunning', 'sourceCopyId'];

export async function startBackupAction(_: FormState, form: FormData): Promise<FormState> {
  await requireSession();
  const raw = {
    serverId: form.get('serverId') ?? '',
    databases: form.getAll('databases').map(String),
    tables: form.getAll('tables').map(String),
    threads: form.get('threads') ?? undefined,
    chunkRows: form.get('chunkRows') ?? undefined,
    lock: form.get('lock') ?? undefined,
    compress: form.get('compress') ?? undefined,
    format: form.get('format') ?? undefined,
    outDir: form.get('outDir') ?? undefined,
    users: form.get('users') === 'on',
    maxRate: form.get('maxRate') ?? undefined,
    maxThreadsRunning: form.get('maxThreadsRunning') ?? undefined,
    encryptKeyFile: form.get('encryptKeyFile') ?? undefined,
  };
  const values = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v : String(v ?? '')]));
  const input = StartDumpInput.safeParse(raw);
  if (!input.success) return { fieldErrors: fieldErrors(input.error), values };
  let id: string;
  try {
    ({ id } = await startDump(input.data));
  } catch (error) {
    // An unreadable key file, or one holding no key: its words (by code) at the key file field.
    if (isParadumpError(error) && error.details.path === 'encryptKeyFile') {
      const words = expectedError(error);
      return { fieldErrors: { encryptKeyFile: [`${words.title}. ${words.hint}`] }, values };
    }
    // The engine names the option it refused: show it at that field.
    const path = isParadumpError(error, 'BAD_OPTION') ? String(error.details.path) : '';
    if (isParadumpError(error, 'BAD_OPTION') && FIELDS.includes(path) && typeof error.details.problem === 'string') {
      return { fieldErrors: { [path]: [error.details.problem] }, values };
    }
    return { error: expectedError(error), values };
  }
  redirect(`/runs/${encodeURIComponent(id)}`);
}

const RunId = z.string().min(1);

export async function cancelRunAction(_: FormState, form: FormData): Promise<FormState> {
  await requireSession();
  const id = RunId.safeParse(form.get('runId'));
  if (!id.success) return { fieldErrors: fieldErrors(id.error) };
  try {
    cancelRun({ id: id.data });
    return { ok: Date.now() };
  } catch (error) {
    return { error: expectedError(error) };
  }
}

export async function resumeRunAction(_: FormState, form: FormData): Promise<FormState> {
  await requireSession();
  const id = RunId.safeParse(form.get('runId'));
  if (!id.success) return { fieldErrors: fieldErrors(id.error) };
  try {
    await resumeRun({ id: id.data });
    return { ok: Date.now() };
  } catch (error) {
    return { error: expectedError(error) };
  }
}

export async function startRestoreAction(_: FormState, form: FormData): Promise<FormState> {
  await requireSession();
  const rename: Record<string, string> = {};
  for (const [key, value] of form.entries()) if (key.startsWith('rename:')) rename[key.slice('rename:'.length)] = String(value);
  // The point-in-time step: the chosen kind, and the text of that kind's own field (`pitr:datetime`, …).
  const pitrKind = String(form.get('pitr') ?? 'none');
  const pitrValues = Object.fromEntries(['datetime', 'position', 'gtid'].map((k) => [`pitr:${k}`, String(form.get(`pitr:${k}`) ?? '')]));
  const raw = {
    sourceRunId: form.get('sourceRunId') ?? '',
    targetServerId: form.get('targetServerId') ?? '',
    rename,
    tables: form.getAll('tables').map(String),
    threads: form.get('threads') ?? undefined,
    verify: form.get('verify') === 'on',
    dropExisting: form.get('dropExisting') === 'on',
    users: form.get('users') === 'on',
    skipExistingUsers: form.get('skipExistingUsers') === 'on',
    maxRate: form.get('maxRate') ?? undefined,
    maxThreadsRunning: form.get('maxThreadsRunning') ?? undefined,
    deferIndexes: form.get('deferIndexes') === 'on',
    loadMethod: form.get('loadMethod') ?? undefined,
    decryptKeyFile: form.get('decryptKeyFile') ?? undefined,
    sourceCopyId: form.get('sourceCopyId') ?? undefined,
    pitr: { kind: pitrKind, value: pitrValues[`pitr:${pitrKind}`] ?? '' },
  };
  const values: Record<string, string | string[]> = {
    targetServerId: String(raw.targetServerId),
    tables: raw.tables,
    threads: String(raw.threads ?? ''),
    loadMethod: String(raw.loadMethod ?? 'auto'),
    maxRate: String(raw.maxRate ?? ''),
    maxThreadsRunning: String(raw.maxThreadsRunning ?? ''),
    decryptKeyFile: String(raw.decryptKeyFile ?? ''),
    sourceCopyId: String(raw.sourceCopyId ?? ''),
    pitr: pitrKind,
    ...pitrValues,
    ...Object.fromEntries(Object.entries(rename).map(([k, v]) => [`rename:${k}`, v])),
  };
  if (raw.tables.length === 0) return { fieldErrors: { tables: ['Pick at least one table'] }, values };
  // `rename.shop` → field `rename:shop`; `pitr.value` → the chosen kind's field, `pitr:gtid`.
  const fieldOf = (where: readonly PropertyKey[]) =>
    where[0] === 'rename' ? `rename:${String(where[1])}` : where[0] === 'pitr' ? (where[1] === 'value' ? `pitr:${pitrKind}` : 'pitr') : String(where[0] ?? 'form');
  const input = StartRestoreInput.safeParse(raw);
  if (!input.success) {
    const errors: Record<string, string[]> = {};
    for (const issue of input.error.issues) (errors[fieldOf(issue.path)] ??= []).push(issue.message);
    return { fieldErrors: errors, values };
  }
  let id: string;
  try {
    ({ id } = await startRestore(input.data));
  } catch (error) {
    // The engine refused the stop point (or the dump cannot be rolled forward): show it at that field.
    // A missing, unreadable or other key: its words (by code) at the key file field.
    if (isParadumpError(error) && error.details.path === 'decryptKeyFile') {
      const words = expectedError(error);
      return { fieldErrors: { decryptKeyFile: [`${words.title}. ${words.hint}`] }, values };
    }
    const { path, problem } = isParadumpError(error, 'BAD_OPTION') ? error.details : {};
    if (typeof path === 'string' && (path.startsWith('pitr') || FIELDS.includes(path)) && typeof problem === 'string') return { fieldErrors: { [fieldOf(path.split('.'))]: [problem] }, values };
    return { error: expectedError(error), values };
  }
  redirect(`/runs/${encodeURIComponent(id)}`);
}
