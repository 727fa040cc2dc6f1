// npx tsx bench/hold-server.ts [--data-dir DIR] — starts the bench's source server on its kept dataset
// and keeps it up until Ctrl-C, for profiling one tool by hand (e.g. `node --cpu-prof …`). Stop it
// before `npm run bench`: both would use the same datadir.
import { parseArgs } from 'node:util';
import { startSourceServer } from './lib/server.ts';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string', default: 'bench/data' }, 'buffer-pool': { type: 'string', default: '2G' } } });
const server = await startSourceServer({ dataDir: values['data-dir'], bufferPool: values['buffer-pool'] });
process.stdout.write(`source server: mysql://root@127.0.0.1:${server.port} (pid ${server.pid}); Ctrl-C stops it\n`);
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
setInterval(() => undefined, 1 << 30);
