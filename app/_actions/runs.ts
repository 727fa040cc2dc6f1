'use server';

import { redirect } from 'next/navigation';
import { requireSession } from '@/lib/auth/require-session.ts';
import { z } from 'zod';
import { cancelRun, resumeRun } from '@/lib/runs/control-run.ts';
import { expectedError } from '@/lib/runs/errors.ts';
import { startDump, StartDumpInput } from '@/lib/runs/start-dump.ts';
import { startRestore, StartRestoreInput } from '@/lib/runs/start-restore.ts';
import { fieldErrors, type FormState } from './state.ts';

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
    outDir: form.get('outDir') ?? undefined,
  };
  const values = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v : String(v ?? '')]));
  const input = StartDumpInput.safeParse(raw);
  if (!input.success) return { fieldErrors: fieldErrors(input.error), values };
  let id: string;
  try {
    ({ id } = await startDump(input.data));
  } catch (error) {
    const reply = expectedError(error);
    // The engine names the option it refused: show it at that field.
    if (reply.code === 'BAD_OPTION' && /^outDir/.test(reply.detail)) return { fieldErrors: { outDir: [reply.detail.replace(/^outDir: /, '')] }, values };
    return { error: reply, values };
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
  const raw = {
    sourceRunId: form.get('sourceRunId') ?? '',
    targetServerId: form.get('targetServerId') ?? '',
    rename,
    tables: form.getAll('tables').map(String),
    threads: form.get('threads') ?? undefined,
    verify: form.get('verify') === 'on',
    dropExisting: form.get('dropExisting') === 'on',
  };
  const values: Record<string, string | string[]> = {
    targetServerId: String(raw.targetServerId),
    tables: raw.tables,
    threads: String(raw.threads ?? ''),
    ...Object.fromEntries(Object.entries(rename).map(([k, v]) => [`rename:${k}`, v])),
  };
  if (raw.tables.length === 0) return { fieldErrors: { tables: ['Pick at least one table'] }, values };
  const input = StartRestoreInput.safeParse(raw);
  if (!input.success) {
    // A rename error names the database: `rename.shop` → field `rename:shop`.
    const errors: Record<string, string[]> = {};
    for (const issue of input.error.issues) {
      const field = issue.path[0] === 'rename' ? `rename:${String(issue.path[1])}` : String(issue.path[0] ?? 'form');
      (errors[field] ??= []).push(issue.message);
    }
    return { fieldErrors: errors, values };
  }
  let id: string;
  try {
    ({ id } = await startRestore(input.data));
  } catch (error) {
    return { error: expectedError(error), values };
  }
  redirect(`/runs/${encodeURIComponent(id)}`);
}
