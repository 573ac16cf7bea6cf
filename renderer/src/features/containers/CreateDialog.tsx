/**
 * "Create container": the fields of `containers.create` (docker run's flags
 * in the OCI spec's words), validated as you type by the contract's own
 * schema (`ContainerCreate.safeParse`, see create-form.ts). "Create" calls
 * `containers.create`; "Create and start" then calls `containers.start`.
 * The engine's refusals show with their code and message.
 */
import type { ReactNode } from 'react';
import { Dialog } from '../../app/Dialog';
import { ErrorView } from '../../app/ErrorView';
import { MountsSection, NetworkSection, ProcessSection, ResourcesSection, TerminalSection } from './CreateSections';
import type { Created } from './hooks';
import { SecuritySection } from './SecuritySection';
import { useCreateForm } from './useCreateForm';
import { useCreateSubmit } from './useCreateSubmit';

export function CreateDialog({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (c: Created) => void;
}): ReactNode {
  const s = useCreateForm();
  const { submit, created, go } = useCreateSubmit({ built: s.built, onCreated, onClose });
  const submitTo = (start: boolean) => {
    s.markSubmitted();
    go(start);
  };
  const errorCount = Object.keys(s.errors).length;
  const submitted = s.submitted;

  return (
    <Dialog title="Create container" onClose={onClose} look="ctr" className="ctr-dialog-wide">
      <form
        className="ctr-dialog-body ctr-create"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          submitTo(false);
        }}
      >
        <ProcessSection s={s} />
        <MountsSection s={s} />
        <NetworkSection s={s} />
        <TerminalSection s={s} />
        <ResourcesSection s={s} />
        <SecuritySection form={s.form} set={s.set} show={s.show} touch={s.touch} />

        {submit.isError && (
          <ErrorView
            error={submit.error}
            title={created ? `Created ${created.name}, but could not start it` : 'The engine refused to create it'}
          />
        )}
        <footer className="ctr-dialog-footer">
          {submitted && errorCount > 0 && !created && (
            <span className="ctr-field-error ctr-footer-note">
              {errorCount === 1 ? '1 field needs' : `${errorCount} fields need`} attention
            </span>
          )}
          <button type="button" className="button" onClick={onClose}>
            {created ? 'Close' : 'Cancel'}
          </button>
          {!created && (
            <button type="submit" className="button" disabled={submit.isPending}>
              Create
            </button>
          )}
          <button
            type="button"
            className="button ctr-primary"
            disabled={submit.isPending}
            onClick={() => submitTo(true)}
          >
            {submit.isPending ? 'Working…' : created ? 'Start' : 'Create and start'}
          </button>
        </footer>
      </form>
    </Dialog>
  );
}
