import { useEffect, useState } from 'react';
import type { PreviewReply } from '@/lib/plans/preview-plan.ts';

/** The live preview: asks the server (croner, the plan's backups) as the user types, a moment after the last key. */
export function usePlanPreview({ cron, timeZone, retention, planId }: { cron: string; timeZone: string; retention: Record<string, string>; planId: string | null }) {
  const [preview, setPreview] = useState<PreviewReply | null>(null);
  const key = JSON.stringify({ cron, timeZone, retention, planId });
  useEffect(() => {
    const abort = new AbortController();
    const timer = setTimeout(() => {
      fetch('/api/plans/preview', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: key, signal: abort.signal })
        .then((r) => (r.ok ? (r.json() as Promise<PreviewReply>) : null))
        .then((p) => p && setPreview(p))
        .catch(() => undefined);
    }, 250);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [key]);
  return preview;
}
