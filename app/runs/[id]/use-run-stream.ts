'use client';

import { useEffect, useRef, useState } from 'react';
import { applyViewDeltas } from '@/lib/runs/run-view.ts';
import { StreamMessage, type RunView } from '@/lib/runs/schemas.ts';

export type Connection = 'live' | 'reconnecting' | 'closed';

/** How often queued frames are drawn: a burst of frames (a reconnect's replay) is drawn once. */
const DRAW_MS = 200;
/**
 * A queued run waits for a worker (docs/scale.md), and a run the store says is running may not have
 * its live stream yet (claimed, engine starting) or any more (its worker died, another takes over):
 * then the server answers with the stored state and `end`, and the page asks again this often.
 */
const QUEUED_RETRY_MS = 1_000;

/**
 * Keeps a run's view in step with the server over SSE. The server sends one frame of coalesced
 * changes per interval; `EventSource` reconnects by itself and sends `Last-Event-ID`, and the
 * server replays the frames missed or sends a fresh snapshot.
 */
export function useRunStream({ initialState, initialEventId, generation }: { initialState: RunView; initialEventId: string | null; generation: number }): { state: RunView; connection: Connection } {
  const [state, setState] = useState(initialState);
  const [connection, setConnection] = useState<Connection>('closed');
  const [retry, setRetry] = useState(0);
  const queue = useRef<StreamMessage[]>([]);
  const running = initialState.status === 'running' || initialState.status === 'queued' || generation > 0;

  useEffect(() => {
    if (!running) return;
    const url = `/api/runs/${encodeURIComponent(initialState.id)}/events${initialEventId && generation === 0 && retry === 0 ? `?after=${encodeURIComponent(initialEventId)}` : ''}`;
    const source = new EventSource(url);
    let timer: ReturnType<typeof setTimeout> | null = null;
    let again: ReturnType<typeof setTimeout> | null = null;
    let status = initialState.status;
    const draw = () => {
      timer = null;
      const messages = queue.current.splice(0);
      if (messages.length === 0) return;
      setState((prev) => {
        let next = prev;
        for (const m of messages) {
          if (m.type === 'snapshot') next = m.state;
          else if (m.type === 'frame') next = applyViewDeltas(next, m.deltas);
        }
        return next;
      });
    };
    source.onopen = () => setConnection('live');
    source.onmessage = (event: MessageEvent<string>) => {
      const message = StreamMessage.parse(JSON.parse(event.data));
      if (message.type === 'end') {
        source.close();
        draw();
        if (status === 'queued' || status === 'running') {
          setConnection('reconnecting');
          again = setTimeout(() => setRetry((n) => n + 1), QUEUED_RETRY_MS);
        } else setConnection('closed');
        return;
      }
      if (message.type === 'snapshot') status = message.state.status;
      else if (message.type === 'frame') for (const d of message.deltas) if (d.type === 'status') status = d.status;
      queue.current.push(message);
      timer ??= setTimeout(draw, DRAW_MS);
    };
    source.onerror = () => setConnection(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
    return () => {
      source.close();
      if (timer) clearTimeout(timer);
      if (again) clearTimeout(again);
      queue.current = [];
    };
  }, [initialState.id, initialState.status, initialEventId, generation, running, retry]);

  return { state, connection };
}
