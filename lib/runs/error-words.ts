// The dashboard's own words for every error code it can meet. Pure data: pages and the browser import it.

export interface ErrorWords {
  /** One line for a heading or an alert. */
  title: string;
  /** What to do about it. */
  hint: string;
  /** For route handlers. */
  httpStatus: number;
}

const WORDS: Record<string, ErrorWords> = {
  // Engine (lib/engine/errors.ts)
  BAD_OPTION: { title: 'An option is not valid', hint: 'Check the highlighted fields and try again.', httpStatus: 400 },
  BAD_URI: { title: 'The server address is not valid', hint: 'Check the host name and port of the saved server.', httpStatus: 400 },
  HOST_UNREACHABLE: { title: 'The server could not be reached', hint: 'Check the host name, and that this machine can reach it over the network.', httpStatus: 502 },
  CONNECTION_REFUSED: { title: 'The server refused the connection', hint: 'Is MySQL/MariaDB running and listening on that port?', httpStatus: 502 },
  ACCESS_DENIED: { title: 'The server did not accept the user name or password', hint: 'Check the credentials of the saved server.', httpStatus: 403 },
  MISSING_PRIVILEGES: { title: 'The user lacks a privilege the backup needs', hint: 'Grant SELECT, RELOAD, LOCK TABLES and REPLICATION CLIENT (or pick the “no locks” strategy).', httpStatus: 403 },
  UNKNOWN_DATABASE: { title: 'A chosen database does not exist on the server', hint: 'Reload the list of databases and pick again.', httpStatus: 404 },
  UNKNOWN_TABLE: { title: 'A chosen table does not exist on the server', hint: 'Reload the list of tables and pick again.', httpStatus: 404 },
  NOTHING_TO_DUMP: { title: 'Nothing matches what you picked', hint: 'Pick at least one database or table that exists.', httpStatus: 400 },
  OUTPUT_NOT_EMPTY: { title: 'The output folder is not empty', hint: 'Choose a new or empty folder; to continue an interrupted backup, use Resume on its run.', httpStatus: 409 },
  OUTPUT_UNWRITABLE: { title: 'The output folder cannot be written', hint: 'Choose a folder the dashboard’s user may write to.', httpStatus: 400 },
  STORAGE_AUTH_FAILED: { title: 'The storage service did not accept the access key', hint: 'Check the access key id and the secret of the storage target.', httpStatus: 403 },
  STORAGE_NO_BUCKET: { title: 'The bucket does not exist', hint: 'Create the bucket first, or correct its name in the storage target.', httpStatus: 404 },
  STORAGE_DENIED: { title: 'The storage credentials lack a permission', hint: 'The key needs to list, read, write and delete objects under the target’s prefix.', httpStatus: 403 },
  STORAGE_UNREACHABLE: { title: 'The storage service could not be reached', hint: 'Check the endpoint and the network; an interrupted backup can be resumed once it is back.', httpStatus: 502 },
  STORAGE_FAILED: { title: 'The storage service refused a request', hint: 'See the message for the service’s own reason.', httpStatus: 502 },
  TARGET_NOT_FOUND: { title: 'That storage target is not saved', hint: 'Reload the list of storage targets.', httpStatus: 404 },
  TARGET_NAME_TAKEN: { title: 'A storage target with that name is already saved', hint: 'Choose another name.', httpStatus: 409 },
  TARGET_IN_USE: { title: 'A plan copies its backups to this target', hint: 'Remove the target from those plans first.', httpStatus: 409 },
  // Encrypted dumps
  KEY_FILE_INVALID: { title: 'The key file holds no valid key', hint: 'A key file holds 32 raw bytes, 64 hex digits or the base64 of 32 bytes (openssl rand -hex 32 > KEY). Check the path: it is read on the server.', httpStatus: 400 },
  KEY_REQUIRED: { title: 'This backup is encrypted: a key file is needed', hint: 'Give the path of the key file the backup was made with (its key id is shown on the backup’s page).', httpStatus: 400 },
  KEY_MISMATCH: { title: 'The key is not the one this backup was encrypted with', hint: 'Nothing was changed. Give the key file whose id the backup’s page shows.', httpStatus: 409 },
  DECRYPT_FAILED: { title: 'A file of the backup could not be decrypted', hint: 'The file is damaged or was altered after the dump: restore from another backup.', httpStatus: 422 },
  DISK_FULL: { title: 'The output disk is full', hint: 'Free some space, then resume: finished chunks are kept.', httpStatus: 507 },
  LOCK_TIMEOUT: { title: 'A lock could not be taken in time', hint: 'A long-running query held it. Try again when the server is quieter, raise the lock wait, or pick another lock strategy.', httpStatus: 409 },
  CONNECTION_LOST: { title: 'The connection to the server was lost', hint: 'Finished chunks are kept: resume once the server is back.', httpStatus: 502 },
  TABLE_DROPPED: { title: 'A table was dropped while it was being read', hint: 'It was skipped; the rest of the backup is usable.', httpStatus: 409 },
  UNSUPPORTED_SERVER: { title: 'This server version is not supported', hint: 'paradump supports MySQL 5.7, 8.0, 8.4 and MariaDB 10.4 and later.', httpStatus: 400 },
  LOCAL_INFILE_DISABLED: { title: 'The target refuses LOAD DATA LOCAL', hint: 'This backup’s data files are in tsv format, which loads with LOAD DATA LOCAL INFILE. Turn it on at the target (SET GLOBAL local_infile = 1), or restore a backup made in SQL format.', httpStatus: 409 },
  MANIFEST_INVALID: { title: 'The backup’s manifest is damaged or from an unknown version', hint: 'The files cannot be trusted for a restore as they are.', httpStatus: 422 },
  ABORTED: { title: 'The run was cancelled', hint: 'What was finished is kept; a cancelled backup or restore can be resumed where it stopped.', httpStatus: 409 },
  VERIFY_MISMATCH: { title: 'Verification failed: the restored rows differ from the dump', hint: 'The differing key ranges are listed per table; restore those tables again (the target may have been written to meanwhile).', httpStatus: 409 },
  // Restore and point-in-time recovery (lib/restore)
  FILES_MISSING: { title: 'Files of the backup are missing', hint: 'Nothing was restored. The backup’s folder is incomplete: restore from another backup.', httpStatus: 422 },
  CHECKSUM_MISMATCH: { title: 'Files of the backup are damaged', hint: 'Nothing was restored: a file’s size or sha256 differs from the manifest. Restore from another backup.', httpStatus: 422 },
  TARGET_EXISTS: { title: 'The target already has tables with these names', hint: 'Nothing was changed. Restore under another database name, or tick “Replace existing tables”.', httpStatus: 409 },
  ACCOUNT_EXISTS: { title: 'The target already has some of the dump’s users or roles', hint: 'Nothing was changed. Tick “Leave existing accounts as they are” to create only the others, or drop those accounts on the target first.', httpStatus: 409 },
  UNFINISHED_RESTORE: { title: 'An earlier restore into this target did not finish', hint: 'Resume that restore from its run page, or tick “Replace existing tables” to start over.', httpStatus: 409 },
  NOTHING_TO_RESUME: { title: 'There is nothing of this run to resume', hint: 'It was stopped before it began, so nothing of it was written or applied: start it again with the same options.', httpStatus: 409 },
  SEVERAL_SNAPSHOTS: { title: 'This backup was resumed, so some tables were read at two points in time', hint: 'Rolling forward needs one starting point per table: take a new backup and roll forward from that one.', httpStatus: 422 },
  NO_COORDINATES: { title: 'This backup has no binary log position to roll forward from', hint: 'It was taken without locks or while the source’s binary log was off. Take a backup with a snapshot to roll forward later.', httpStatus: 422 },
  NO_BINLOG: { title: 'The source server has no binary log', hint: 'Rolling forward replays the source’s binary log: turn on log_bin there (it applies to backups taken from then on).', httpStatus: 422 },
  BINLOG_PURGED: { title: 'The source’s binary log no longer reaches back to this backup', hint: 'The binlog files since the backup were purged: roll forward from a newer backup, or keep binlogs longer (binlog_expire_logs_seconds).', httpStatus: 410 },
  TOOL_MISSING: { title: 'The binary log tools are not installed on the dashboard’s machine', hint: 'Install the MariaDB client (apt-get install mariadb-client: mariadb-binlog and mariadb), then resume or restore again.', httpStatus: 503 },
  QUERY_FAILED: { title: 'The server rejected a query', hint: 'See the run log for the server’s own message.', httpStatus: 502 },
  INTERNAL: { title: 'paradump hit an internal error', hint: 'See the run log; please report it with the log.', httpStatus: 500 },
  // Warnings the engine logs
  TABLE_CHANGED: { title: 'A table was altered while it was being read', hint: 'It was skipped; the rest of the backup is usable.', httpStatus: 409 },
  DATABASE_DROPPED: { title: 'A database was dropped during the backup', hint: 'Its tables were skipped.', httpStatus: 409 },
  NO_DDL_LOCK: { title: 'DDL was not blocked during this backup', hint: 'A table altered mid-run is skipped and reported.', httpStatus: 200 },
  OBJECT_SKIPPED: { title: 'A view, trigger or routine could not be read', hint: 'See the message; the tables are not affected.', httpStatus: 200 },
  QUERY_KILLED: { title: 'A long-running query was killed to take a lock', hint: 'As asked by “kill long queries”.', httpStatus: 200 },
  RESTORE_RESTARTED: { title: 'The interrupted restore had not begun: it ran from the start', hint: 'It was stopped before it changed anything in the target, so resuming it meant loading everything.', httpStatus: 200 },
  SOURCE_DIFFERS: { title: 'The backup was resumed from a server named differently', hint: 'If it is another server, the backup mixes two servers’ rows: take a new backup.', httpStatus: 200 },
  // Backup plans (lib/plans)
  BAD_CRON: { title: 'The schedule is not a valid cron expression', hint: 'Five fields: minute hour day-of-month month day-of-week, e.g. “0 2 * * *” for every day at 02:00.', httpStatus: 400 },
  UNKNOWN_TIME_ZONE: { title: 'There is no such time zone', hint: 'Use an IANA name such as Europe/Paris, America/New_York or UTC.', httpStatus: 400 },
  RETENTION_KEEPS_NOTHING: { title: 'This retention would keep no backup', hint: 'Keep at least the last backup, or one per day, week, month or year.', httpStatus: 400 },
  PLAN_NOT_FOUND: { title: 'There is no such plan', hint: 'It may have been deleted.', httpStatus: 404 },
  PLAN_NAME_TAKEN: { title: 'A plan with that name already exists', hint: 'Choose another name.', httpStatus: 409 },
  WEBHOOK_FAILED: { title: 'The webhook did not accept the alert', hint: 'Check the URL, that the receiver is reachable from this machine and answers 2xx; every attempt is in the plan log.', httpStatus: 502 },
  SMTP_FAILED: { title: 'The mail server did not accept the alert', hint: 'Check the SMTP host, port, TLS and credentials; the server’s answer is in the plan log.', httpStatus: 502 },
  NO_ALERT_CHANNEL: { title: 'This plan has no alert channel', hint: 'Add a webhook URL or an email address first.', httpStatus: 400 },
  SKIPPED_OVERLAP: { title: 'A scheduled run was skipped: the previous run was still going', hint: 'Space the schedule out, or make the backup faster (more threads, fewer tables).', httpStatus: 409 },
  RETENTION_DELETE_FAILED: { title: 'An old backup could not be deleted', hint: 'It is marked half-deleted and is finished on the next pass; see the plan log.', httpStatus: 500 },
  // Restore drills (lib/drills)
  NO_BACKUP_TO_DRILL: { title: 'There is no good backup to drill', hint: 'The plan has no successful backup that retention kept: run the plan first.', httpStatus: 409 },
  DRILL_VERIFY_FAILED: { title: 'The restored data differs from the backup', hint: 'A chunk read back from the drill’s copy does not match the manifest’s row count or content hash: the backup, or the restore, cannot be trusted. The drill names the chunk.', httpStatus: 422 },
  DRILL_CHECK_FAILED: { title: 'A check of the restored data failed', hint: 'One of the drill’s own SQL checks did not give the expected result on the restored copy; see the drill for the query and what it returned.', httpStatus: 422 },
  DRILL_RUNNING: { title: 'A drill of this plan is already running', hint: 'Wait for it to finish, or cancel it.', httpStatus: 409 },
  DRILL_NOT_FOUND: { title: 'There is no such drill', hint: 'It may have finished or been deleted with its plan.', httpStatus: 404 },
  // Dashboard
  INTERRUPTED: { title: 'The dashboard stopped while this run was in progress', hint: 'Finished chunks are kept: Resume continues where it stopped.', httpStatus: 409 },
  RUN_NOT_FOUND: { title: 'There is no such run', hint: 'It may have been deleted.', httpStatus: 404 },
  SERVER_NOT_FOUND: { title: 'There is no such saved server', hint: 'Pick another server or add it again.', httpStatus: 404 },
  SERVER_NAME_TAKEN: { title: 'A server with that name is already saved', hint: 'Choose another name.', httpStatus: 409 },
  NOT_RUNNING: { title: 'The run is not running', hint: 'There is nothing to cancel.', httpStatus: 409 },
  ALREADY_REPLAYED: { title: 'These databases were already rolled forward', hint: 'The target records an earlier roll forward into them: resume it to go further, or restore the backup again to start over. Replaying again would apply transactions twice.', httpStatus: 409 },
  NOT_RESUMABLE: { title: 'This run cannot be resumed', hint: 'Only cancelled, interrupted or failed backups without a manifest, and restores whose roll forward has not begun, can be resumed.', httpStatus: 409 },
  ALREADY_RUNNING: { title: 'The run is already running', hint: 'Wait for it or cancel it first.', httpStatus: 409 },
  NO_MANIFEST: { title: 'This run has no manifest', hint: 'A manifest is written when a backup finishes; resume the run to finish it.', httpStatus: 404 },
  MANIFEST_NOT_YET: { title: 'The backup is still running', hint: 'Its manifest is written when the last chunk is; this page shows it then.', httpStatus: 409 },
  STALE_ATTEMPT: { title: 'Another worker took this run over', hint: 'This attempt’s worker lost its lock on the job; its writes are refused and the newer attempt carries on.', httpStatus: 409 },
  STALLED: { title: 'The worker running this run stopped', hint: 'The job goes back to the queue and another worker resumes it from its journal.', httpStatus: 503 },
  HANDED_BACK: { title: 'The worker was stopped and handed the run back', hint: 'Finished chunks are kept; the next free worker resumes it.', httpStatus: 503 },
  QUEUE_UNAVAILABLE: { title: 'The job queue (Redis) cannot be reached', hint: 'Check PARADUMP_REDIS_URL and that Redis is running.', httpStatus: 503 },
  SANDBOX_UNAVAILABLE: { title: 'The MariaDB server programs are not installed', hint: 'Install them (apt-get install mariadb-server) to start a local sandbox, or add a server of your own.', httpStatus: 503 },
  SANDBOX_FAILED: { title: 'The local sandbox server did not start', hint: 'See the dashboard’s log for the server’s error log.', httpStatus: 500 },
};

const UNKNOWN: ErrorWords = { title: 'Something went wrong', hint: 'See the run log for details.', httpStatus: 500 };

/** The dashboard's words for an error code (engine, store, sandbox or dashboard). */
export function describeError(code: string | null | undefined): ErrorWords {
  return (code ? WORDS[code] : undefined) ?? UNKNOWN;
}
