import path from 'node:path';
import { e2eStoreDir } from '../paths.ts';

/** e2e/scaled/serve.ts writes its worker child's PID here: the spec finds that PID on /workers. */
export const scaledWorkerPidFile = path.join(e2eStoreDir, 'worker.pid');
