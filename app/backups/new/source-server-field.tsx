import { useRouter } from 'next/navigation';
import { cardClass, inputClass } from '../../_components/ui.tsx';

export interface ServerChoice {
  id: string;
  name: string;
  address: string;
}

/** The server to back up; picking another reloads the page with that server's databases. */
export function SourceServerField({ servers, serverId, version }: { servers: ServerChoice[]; serverId: string; version: string | null }) {
  const router = useRouter();
  return (
    <fieldset className={cardClass}>
      <legend className="px-1 text-sm font-medium">Source</legend>
      <label htmlFor="backup-server" className="mb-1 block text-sm font-medium">
        Server
      </label>
      <select
        id="backup-server"
        name="serverId"
        defaultValue={serverId}
        onChange={(e) => router.replace(`/backups/new?server=${encodeURIComponent(e.target.value)}`)}
        className={inputClass}
      >
        {servers.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name} ({s.address})
          </option>
        ))}
      </select>
      {version !== null ? <p className="mt-1 text-xs text-zinc-500">{version}</p> : null}
    </fieldset>
  );
}
