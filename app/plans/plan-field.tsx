import { inputClass, FieldError } from '../_components/ui.tsx';

/** What the plan form's groups read: the saved plan overlaid with a refused submit's values, and its errors. */
export interface PlanValues {
  errors: Record<string, string[] | undefined>;
  text(name: string, fallback?: string): string;
  /** A checkbox's value: the form sends `on` for a ticked box. */
  checked(name: string): boolean;
}

export function planValues(values: Record<string, string | string[]>, errors: Record<string, string[] | undefined>): PlanValues {
  const text = (name: string, fallback = '') => {
    const value = values[name];
    return typeof value === 'string' ? value : fallback;
  };
  return { errors, text, checked: (name) => text(name) === 'on' };
}

/** A labelled input with its hint and its error, tied together for screen readers. */
export function Field({ id, name, label, errors, hint, ...input }: { id: string; name: string; label: string; errors: Record<string, string[] | undefined>; hint?: string } & React.ComponentProps<'input'>) {
  return (
    <div>
      <label htmlFor={id} className="mb-1 block text-sm font-medium">
        {label}
      </label>
      <input id={id} name={name} className={inputClass} aria-invalid={errors[name] ? true : undefined} aria-describedby={`${id}-error${hint ? ` ${id}-hint` : ''}`} {...input} />
      {hint ? (
        <p id={`${id}-hint`} className="mt-1 text-xs text-zinc-500">
          {hint}
        </p>
      ) : null}
      <FieldError id={`${id}-error`} errors={errors[name]} />
    </div>
  );
}
