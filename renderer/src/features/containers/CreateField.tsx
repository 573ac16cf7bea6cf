/** A labelled field of the Create dialog with its schema message under it, and a text input bound to the form. */
import { useId, type InputHTMLAttributes, type ReactNode } from 'react';
import type { CreateForm } from './create-form';
import { FieldError } from './FormRows';
import type { CreateFormState } from './useCreateForm';

export interface FieldIds {
  id: string;
  describedBy: string | undefined;
  invalid: boolean;
}

/** The form's fields that hold plain text. */
export type TextKey = { [K in keyof CreateForm]: CreateForm[K] extends string ? K : never }[keyof CreateForm];

export function Field({
  label,
  hint,
  error,
  children,
  className,
}: {
  label: string;
  hint?: ReactNode;
  error: string | undefined;
  children: (ids: FieldIds) => ReactNode;
  className?: string;
}): ReactNode {
  const id = useId();
  const errId = `${id}-err`;
  return (
    <div className={`ctr-field${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>
        {label}
        {hint && <span className="ctr-hint"> {hint}</span>}
      </label>
      {children({ id, describedBy: error ? errId : undefined, invalid: !!error })}
      <FieldError id={errId} message={error} />
    </div>
  );
}

/** A Field's text input bound to one string field of the form, with its validation state. */
export const textInput =
  ({ form, set, touch }: CreateFormState, k: TextKey, extra: InputHTMLAttributes<HTMLInputElement> = {}) =>
  ({ id, describedBy, invalid }: FieldIds): ReactNode => (
    <input
      id={id}
      aria-describedby={describedBy}
      aria-invalid={invalid}
      value={form[k]}
      onChange={(e) => set(k, e.target.value)}
      onBlur={touch(k)}
      {...extra}
    />
  );
