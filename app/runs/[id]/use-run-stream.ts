'use client';

import { useEffect, useRef, useState } from 'react';
import { applyViewDeltas } from '@/lib/runs/run-view.ts';
import { StreamMessage, type RunView } from '@/lib/runs/schemas.ts';

export type Connection = 'live' | 'reconnecting' | 'closed';

/** How often queued frames are drawn: a burst of frames (a reconnect's replay) is drawn once. */
const DRAW_MS = 200;

/**
 * Keeps a run's view in step with the server over SSE. The server sends one frame of coalesced
 * changes per interval; `EventSource` reconnects by itself and sends `Last-Event-ID`, and the
 * server replays the frames missed or sends a fresh snapshot.
 */
export function useRunStream({ initialState, initialEventId, generation }: { initialState: RunView; initialEventId: string | null; generation: number }): { state: RunView; connection: Connection } {
  const [state, setState] = useState(initialState);
  const [connection, setConnection] = useState<Connection>('closed');
  const queue = useRef<StreamMessage[]>([]);
  const running = initialState.status === 'running' || generation > 0;

  useEffect(() => {
    if (!running) return;
    const url = `/api/runs/${encodeURIComponent(initialState.id)}/events${initialEventId && generation === 0 ? `?after=${encodeURIComponent(initialEventId)}` : ''}`;
    const source = new EventSource(url);
    let timer: ReturnType<typeof setTimeout> | null = null;
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
        setConnection('closed');
        draw();
        return;
      }
      queue.current.push(message);
      timer ??= setTimeout(draw, DRAW_MS);
    };
    source.onerror = () => setConnection(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
    return () => {
      source.close();
      if (timer) clearTimeout(timer);
      queue.current = [];
    };
  }, [initialState.id, initialEventId, generation, running]);

  return { state, connection };
}
