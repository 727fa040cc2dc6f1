import { z } from 'zod';
import { badOption, ParadumpError } from '../core/errors.ts';
import { getPrisma } from '../store/prisma.ts';
import { confineTargetDir, locationUnder, openSavedTarget, type SavedTargetRow } from './open-saved-target.ts';
import { probeTarget } from './probe-target.ts';
import { RunCopyView, StorageTargetInput, StorageTargetView } from './target-schema.ts';
import { sealTargetSecret } from './target-secret.ts';

const VIEW_SELECT = { id: true, name: true, kind: true, location: true, endpoint: true, region: true, accessKeyId: true, secretAccessKeySealed: true, createdAt: true } as const;

function toView(row: SavedTargetRow & { name: string; createdAt: Date }): StorageTargetView {
  const { secretAccessKeySealed, ...rest } = row;
  return StorageTargetView.parse({ ...rest, hasSecret: secretAccessKeySealed !== '' });
}

/** A target refused by its schema: the first issue as BAD_OPTION at its field, every issue by field. */
function inputError(error: z.ZodError): ParadumpError {
  const issue = error.issues[0]!;
  const field = String(issue.path[0] ?? 'form');
  return badOption(field, issue.message, { details: { issues: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) } });
}

/**
 * Saves a new storage target after probing it (list, write, delete under its location): a target
 * that cannot be used is refused with its STORAGE_* (or OUTPUT_UNWRITABLE) code and nothing is
 * saved. The secret is sealed under the target's id; it is never returned or logged.
 */
export async function saveTarget({ input }: { input: z.input<typeof StorageTargetInput> }): Promise<StorageTargetView> {
  const parsed = StorageTargetInput.safeParse(input);
  if (!parsed.success) throw inputError(parsed.error);
  const t = parsed.data;
  const prisma = getPrisma();
  if (await prisma.storageTarget.findUnique({ where: { name: t.name }, select: { id: true } })) {
    throw new ParadumpError('TARGET_NAME_TAKEN', `name: a storage target named "${t.name}" exists`, { details: { path: 'name' } });
  }
  const location = t.kind === 'local' ? await confineTargetDir(t.location) : t.location.replace(/\/+$/, '');
  // Probed with the secret in hand: the row is made only once the target works.
  const unsaved: SavedTargetRow = { id: '', kind: t.kind, location, endpoint: t.endpoint, region: t.region, accessKeyId: t.accessKeyId, secretAccessKeySealed: '' };
  await probeTarget({ open: (under) => openSavedTarget(unsaved, locationUnder(unsaved, under), t.secretAccessKey) });
  const row = await prisma.storageTarget.create({ data: { name: t.name, kind: t.kind, location, endpoint: t.kind === 's3' ? t.endpoint : '', region: t.kind === 's3' ? t.region : '', accessKeyId: t.kind === 's3' ? t.accessKeyId : '' }, select: { id: true } });
  const sealed = t.kind === 's3' ? await sealTargetSecret({ targetId: row.id, secret: t.secretAccessKey }) : '';
  return toView(await prisma.storageTarget.update({ where: { id: row.id }, data: { secretAccessKeySealed: sealed }, select: VIEW_SELECT }));
}

export async function listTargets(): Promise<StorageTargetView[]> {
  return (await getPrisma().storageTarget.findMany({ select: VIEW_SELECT, orderBy: { name: 'asc' } })).map(toView);
}

/** Plan ids and names whose copy targets include `targetId`. */
export async function plansUsingTarget({ targetId }: { targetId: string }): Promise<{ id: string; name: string }[]> {
  const plans = await getPrisma().plan.findMany({ select: { id: true, name: true, settings: true } });
  const Settings = z.object({ copyTargetIds: z.array(z.string()).default([]) });
  return plans.filter((p) => Settings.parse(JSON.parse(p.settings)).copyTargetIds.includes(targetId)).map(({ id, name }) => ({ id, name }));
}

/**
 * Deletes a saved target (its files stay where they are). Refused with TARGET_IN_USE while a plan
 * copies to it. Its copies' records stay, without the target, so retention no longer reaches them.
 */
export async function deleteTarget({ id }: { id: string }): Promise<void> {
  const prisma = getPrisma();
  const row = await prisma.storageTarget.findUnique({ where: { id }, select: { name: true } });
  if (!row) throw new ParadumpError('TARGET_NOT_FOUND', `no storage target ${id}`);
  const plans = await plansUsingTarget({ targetId: id });
  if (plans.length > 0) {
    throw new ParadumpError('TARGET_IN_USE', `storage target "${row.name}" is a copy target of plan${plans.length > 1 ? 's' : ''} ${plans.map((p) => `"${p.name}"`).join(', ')}`, { details: { plans } });
  }
  await prisma.storageTarget.delete({ where: { id } });
}

/** A run's copy state (null: no copies) and its copies, for the run page. */
export async function runCopiesOf({ runId }: { runId: string }): Promise<{ copyState: string | null; copies: RunCopyView[] }> {
  const run = await getPrisma().run.findUnique({ where: { id: runId }, select: { copyState: true } });
  return { copyState: run?.copyState ?? null, copies: await listRunCopies({ runId }) };
}

/** The copies of a run, oldest first. */
export async function listRunCopies({ runId }: { runId: string }): Promise<RunCopyView[]> {
  const rows = await getPrisma().runCopy.findMany({ where: { runId }, orderBy: { startedAt: 'asc' } });
  return rows.map((r) => RunCopyView.parse({ ...r, bytes: Number(r.bytes) }));
}
