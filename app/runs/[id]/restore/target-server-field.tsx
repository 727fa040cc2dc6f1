import type { FormValues } from '../../../_components/sent-back.ts';
import { cardClass, ChoiceSelect, inputClass } from '../../../_components/ui.tsx';

export interface TargetChoice {
  id: string;
  name: string;
  address: string;
}

/** The saved server to restore into; the run's own server first when it is still saved. */
export function TargetServerField({ servers, defaultServerId, sent }: { servers: TargetChoice[]; defaultServerId: string | null; sent: FormValues }) {
  const fallback = servers.some((s) => s.id === defaultServerId) ? defaultServerId! : servers[0]!.id;
  return (
    <fieldset className={cardClass}>
      <legend className="px-1 text-sm font-medium">Target</legend>
      <label htmlFor="restore-target" className="mb-1 block text-sm font-medium">
        Target server
      </label>
      <ChoiceSelect id="restore-target" name="targetServerId" defaultValue={sent.text('targetServerId', fallback)} className={inputClass}>
        {servers.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name} ({s.address})
          </option>
        ))}
      </ChoiceSelect>
    </fieldset>
  );
}
