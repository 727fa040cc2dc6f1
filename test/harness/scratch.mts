import { startThrowawayServer } from '../../lib/sandbox/throwaway-server.ts';
import { createTestDatabase, runSqlFile, tableDefinitions } from './db.ts';
const s = await startThrowawayServer({ serverId: 9 });
try {
  console.log('uid', process.getuid?.(), s.uri, s.dir);
  const db = await createTestDatabase(s.uri, 't_x');
  await runSqlFile(s.uri, db.name, 'test/fixtures/every-type.sql');
  const d = await tableDefinitions(s.uri, db.name);
  console.log(d.sequences, Object.keys(d.tables).length);
} finally { await s.stop(); }
try { await startThrowawayServer({ extraArgs: ['--no-such-option'] }); } catch (e) { console.log('EXPECTED:', (e as Error).message.slice(0, 600)); }
