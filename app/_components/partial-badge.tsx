/** A backup that succeeded but whose copy to one or more storage targets failed. */
export function PartialBadge() {
  return (
    <span className="ml-2 rounded-full bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-800 dark:bg-amber-950 dark:text-amber-300" title="A copy to a storage target failed; the backup and the other copies are kept">
      partially failed
    </span>
  );
}
