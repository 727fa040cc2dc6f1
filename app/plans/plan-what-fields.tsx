import { cardClass, ChoiceSelect, Field, FieldError, inputClass } from '../_components/ui.tsx';
import type { FormValues } from '../_components/sent-back.ts';

export interface ServerChoice {
  id: string;
  name: string;
  address: string;
}

/** The plan's name, its server and what it dumps. */
export function PlanWhatFields({ servers, values }: { servers: ServerChoice[]; values: FormValues }) {
  const { errors, text } = values;
  return (
    <fieldset className={`${cardClass} grid gap-4 sm:grid-cols-2`}>
      <legend className="px-1 text-sm font-medium">What</legend>
      <Field id="plan-name" name="name" label="Plan name" errors={errors} defaultValue={text('name')} />
      <div>
        <label htmlFor="plan-server" className="mb-1 block text-sm font-medium">
          Server
        </label>
        <ChoiceSelect id="plan-server" name="serverId" defaultValue={text('serverId', servers[0]?.id ?? '')} className={inputClass} aria-describedby="plan-server-error">
          {servers.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name} ({s.address})
            </option>
          ))}
        </ChoiceSelect>
        <FieldError id="plan-server-error" errors={errors.serverId} />
      </div>
      <Field id="plan-databases" name="databases" label="Databases" errors={errors} defaultValue={text('databases')} hint="Names or patterns (shop_*), separated by commas." />
      <Field id="plan-tables" name="tables" label="Tables" errors={errors} defaultValue={text('tables')} hint="database.table, separated by commas (optional)." />
      <Field id="plan-exclude" name="excludeTables" label="Leave out tables" errors={errors} defaultValue={text('excludeTables')} hint="database.table or patterns (optional)." />
    </fieldset>
  );
}
