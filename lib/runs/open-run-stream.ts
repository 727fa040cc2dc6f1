import { loadRunView } from './load-run-state.ts';
import { findLiveRun } from './registry.ts';
import { StreamMessage } from './schemas.ts';

/** Proxies close idle connections; a comment line this often keeps the stream open. */
export const HEARTBEAT_MS = 15_000;
/** How long a browser waits before reconnecting after the stream drops. */
const RETRY_MS = 2_000;

export const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
} as const;

const encoder = new TextEncoder();

function frame(message: StreamMessage, id: string | null): Uint8Array {
  // Parsed on the way out: only what the schema names reaches the browser.
  const data = JSON.stringify(StreamMessage.parse(message));
  return encoder.encode(`${id ? `id: ${id}\n` : ''}data: ${data}\n\n`);
}

/**
 * A run's changes as `text/event-stream`. A live run sends what the client missed after
 * `lastEventId` (or a snapshot), then a frame of changes per interval, a heartbeat, and `end` when the run stops; a
 * finished run sends its stored state and `end`. Cancelling the stream unsubscribes.
 *
 * `stillAuthorised` is asked before every heartbeat: a stream opened before its session was
 * signed out (or expired) is closed within one heartbeat, and the browser's reconnect gets a 401.
 * A check that fails counts as "no".
 */
export async function openRunStream({ id, lastEventId, stillAuthorised }: { id: string; lastEventId: string | null; stillAuthorised?: () => Promise<boolean> }): Promise<ReadableStream<Uint8Array>> {
  const live = await findLiveRun(id);
  if (!live) {
    const state = await loadRunView({ id });
    return new ReadableStream({
      start(controller) {
        controller.enqueue(encoder.encode(`retry: ${RETRY_MS}\n\n`));
        controller.enqueue(frame({ type: 'snapshot', state }, null));
        controller.enqueue(frame({ type: 'end' }, null));
        controller.close();
      },
    });
  }
  let unsubscribe: (() => void) | null = null;
  let heartbeat: NodeJS.Timeout | null = null;
  const stop = () => {
    unsubscribe?.();
    unsubscribe = null;
    if (heartbeat) clearInterval(heartbeat);
    heartbeat = null;
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`retry: ${RETRY_MS}\n\n`));
      let closed = false;
      unsubscribe = live.subscribe((message, eventId) => {
        if (closed) return;
        controller.enqueue(frame(message, eventId));
        if (message.type === 'end') {
          closed = true;
          // Let go after this call returns: subscribe() may still be on the stack.
          queueMicrotask(() => {
            stop();
            controller.close();
          });
        }
      }, lastEventId);
      heartbeat = setInterval(() => {
        if (closed) return;
        const check = stillAuthorised ? stillAuthorised().catch(() => false) : Promise.resolve(true);
        void check.then((ok) => {
          if (closed) return;
          if (ok) {
            controller.enqueue(encoder.encode(`: heartbeat ${Date.now()}\n\n`));
            return;
          }
          closed = true;
          stop();
          controller.close();
        });
      }, HEARTBEAT_MS);
    },
    cancel() {
      stop();
    },
  });
}
