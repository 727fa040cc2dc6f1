import type { ComponentProps, ReactNode } from 'react';
import type { FormState } from '../_actions/state.ts';

export const buttonClass =
  'inline-flex items-center justify-center gap-2 rounded-md bg-zinc-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-zinc-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 disabled:cursor-not-allowed disabled:opacity-50 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-zinc-300';
export const secondaryButtonClass =
  'inline-flex items-center justify-center gap-2 rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 disabled:cursor-not-allowed disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800';
export const inputClass =
  'block w-full rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 text-sm shadow-sm focus:border-sky-500 focus:outline-none focus:ring-1 focus:ring-sky-500 aria-[invalid=true]:border-red-500 dark:border-zinc-700 dark:bg-zinc-900';
export const cardClass = 'rounded-lg border border-zinc-200 p-4 dark:border-zinc-800';

export function PageTitle({ children, subtitle }: { children: ReactNode; subtitle?: ReactNode }) {
  return (
    <header className="mb-8">
      <h1 className="text-2xl font-semibold tracking-tight">{children}</h1>
      {subtitle ? <p className="mt-1 text-zinc-600 dark:text-zinc-400">{subtitle}</p> : null}
    </header>
  );
}

/** The action's error in the dashboard's words, announced to screen readers. */
export function FormAlert({ state }: { state: FormState }) {
  return (
    <div aria-live="polite" aria-atomic="true">
      {state.error ? (
        <div role="alert" className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-900 dark:bg-red-950/50 dark:text-red-200">
          <p className="font-medium">{state.error.title}</p>
          <p>{state.error.hint}</p>
          <details className="mt-1 text-xs opacity-80">
            <summary className="cursor-pointer">Details ({state.error.code})</summary>
            <p className="mt-1 font-mono break-all">{state.error.detail}</p>
          </details>
        </div>
      ) : null}
    </div>
  );
}

/**
 * A form's select that keeps the choice the last submission sent back (`defaultValue`). React
 * resets a form after each action, and a select returns to the option that was its default when
 * it mounted, so it is mounted again whenever that default changes.
 */
export function ChoiceSelect(props: ComponentProps<'select'> & { defaultValue: string }) {
  return <select key={props.defaultValue} {...props} />;
}

export function FieldError({ id, errors }: { id: string; errors: string[] | undefined }) {
  if (!errors?.length) return null;
  return (
    <p id={id} className="mt-1 text-sm text-red-700 dark:text-red-400">
      {errors.join(' ')}
    </p>
  );
}

/** A labelled input with its hint and its error, tied together for screen readers. */
export function Field({ id, name, label, errors, hint, ...input }: { id: string; name: string; label: string; errors: Record<string, string[] | undefined>; hint?: string } & ComponentProps<'input'>) {
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

const STATUS_STYLE: Record<string, string> = {
  queued: 'bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300',
  running: 'bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300',
  succeeded: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300',
  failed: 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300',
  cancelled: 'bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300',
  interrupted: 'bg-orange-100 text-orange-800 dark:bg-orange-950 dark:text-orange-300',
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${STATUS_STYLE[status] ?? STATUS_STYLE.queued}`}>{status}</span>;
}
