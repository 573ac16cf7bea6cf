/**
 * "Create container": the fields of `containers.create` (docker run's flags
 * in the OCI spec's words), validated as you type by the contract's own
 * schema (`ContainerCreate.safeParse`, see create-form.ts). "Create" calls
 * `containers.create`; "Create and start" then calls `containers.start`.
 * The engine's refusals show with their code and message.
 */
import { useQuery } from '@tanstack/react-query';
import { useId, useMemo, useState, type InputHTMLAttributes, type ReactNode } from 'react';
import type { Result } from '../../../../preload/contract';
import { useBerth } from '../../app/client';
import { ErrorView } from '../../app/ErrorView';
import { imagesQueries } from '../images/queries';
import {
  buildRequest,
  emptyForm,
  type CreateForm,
  type EnvRow,
  type Network,
  type PortRow,
  type RestartName,
  type VolumeRow,
} from './create-form';
import { Dialog } from '../../app/Dialog';
import { FieldError, Rows } from './FormRows';
import { useCreateContainer, type Created } from './hooks';
import { SecuritySection } from './SecuritySection';

const NETWORK_HINT: Record<Network, string> = {
  bridge: 'own netns, NAT, ports',
  host: "the host's netns",
  none: 'own netns, loopback only',
};

interface FieldIds {
  id: string;
  describedBy: string | undefined;
  invalid: boolean;
}

/** The form's fields that hold plain text. */
type TextKey = { [K in keyof CreateForm]: CreateForm[K] extends string ? K : never }[keyof CreateForm];

/** A labelled input with its schema message under it. */
function Field({
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

export function CreateDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (c: Created) => void }) {
  const client = useBerth();
  const images = useQuery({ ...imagesQueries.list(client), refetchOnMount: 'always' });
  const imageOptions = useMemo(
    () =>
      (images.data ?? []).flatMap((img) =>
        img.repoTags.length > 0
          ? img.repoTags.map((t) => ({ value: t, label: `${t}  (${img.shortId})` }))
          : [{ value: img.id, label: `<none>  (${img.shortId})` }],
      ),
    [images.data],
  );
  const [form, setForm] = useState<CreateForm>(() => emptyForm());
  const [submitted, setSubmitted] = useState(false);
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  // The image defaults to the first one listed once the list arrives.
  const image = form.image || (imageOptions.find((o) => o.value === 'busybox:latest') ?? imageOptions[0])?.value || '';
  const effective = { ...form, image };
  const built = buildRequest(effective);
  const errors = built.ok ? {} : built.errors;
  // A field's message shows once it has been edited (live, as you type) or
  // left, or after a submit. Messages appear while typing rather than on the
  // click that leaves a field, so they never move a button under the pointer.
  const show = (key: string): string | undefined =>
    submitted || touched.has(key) || touched.has(key.split('.')[0]!) ? errors[key] : undefined;
  const markTouched = (key: string) => setTouched((t) => (t.has(key) ? t : new Set(t).add(key)));
  const touch = (key: string) => () => markTouched(key);
  const set = <K extends keyof CreateForm>(k: K, v: CreateForm[K]) => {
    markTouched(k);
    setForm((f) => ({ ...f, [k]: v }));
  };
  /** A Field's text input bound to one string field of the form, with its validation state. */
  const textInput =
    (k: TextKey, extra: InputHTMLAttributes<HTMLInputElement> = {}) =>
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

  // A container created by a "Create and start" whose start failed: retry the start only.
  const [created, setCreated] = useState<Result<'containers.create'> | null>(null);
  const submit = useCreateContainer(setCreated, {
    onSuccess: (c) => {
      onCreated(c);
      onClose();
    },
  });

  const go = (start: boolean) => {
    setSubmitted(true);
    if (created) {
      if (start) submit.mutate({ request: null, start: true, created });
      else onClose();
      return;
    }
    if (built.ok) submit.mutate({ request: built.request, start, created });
  };
  const errorCount = Object.keys(errors).length;
  const bridge = form.network === 'bridge';

  return (
    <Dialog title="Create container" onClose={onClose} look="ctr" className="ctr-dialog-wide">
      <form
        className="ctr-dialog-body ctr-create"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          go(false);
        }}
      >
        <div className="ctr-grid">
          <Field label="Image" error={show('image')} className="ctr-span-2">
            {({ id, describedBy, invalid }) =>
              images.isError ? (
                <ErrorView error={images.error} compact />
              ) : (
                <select
                  id={id}
                  aria-describedby={describedBy}
                  aria-invalid={invalid}
                  value={image}
                  onChange={(e) => set('image', e.target.value)}
                  onBlur={touch('image')}
                >
                  {imageOptions.length === 0 && (
                    <option value="">{images.isPending ? 'Loading images…' : 'No images: load one first'}</option>
                  )}
                  {imageOptions.map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label}
                    </option>
                  ))}
                </select>
              )
            }
          </Field>
          <Field label="Name" hint="(optional)" error={show('name')}>
            {textInput('name', { placeholder: 'random if empty', autoComplete: 'off', spellCheck: false })}
          </Field>
          <Field
            label="Command"
            hint="(split like a shell; empty = the image's Cmd)"
            error={show('command')}
            className="ctr-span-3"
          >
            {textInput('command', {
              className: 'mono',
              placeholder: `sh -c "echo hello; sleep 600"`,
              autoComplete: 'off',
              spellCheck: false,
            })}
          </Field>
        </div>

        <Rows<EnvRow>
          legend="Environment"
          addLabel="variable"
          rows={form.env}
          blank={{ key: '', value: '' }}
          onChange={(rows) => set('env', rows)}
          render={(r, i, patch) => (
            <>
              <input
                className="mono"
                aria-label={`Variable ${i + 1} name`}
                placeholder="KEY"
                value={r.key}
                aria-invalid={!!show(`env.${i}`)}
                onChange={(e) => patch({ key: e.target.value })}
                onBlur={touch(`env.${i}`)}
              />
              <span className="ctr-eq">=</span>
              <input
                className="mono ctr-grow"
                aria-label={`Variable ${i + 1} value`}
                placeholder="value"
                value={r.value}
                onChange={(e) => patch({ value: e.target.value })}
                onBlur={touch(`env.${i}`)}
              />
              <FieldError id={`env-${i}-err`} message={show(`env.${i}`)} />
            </>
          )}
        />

        <Rows<VolumeRow>
          legend="Volumes"
          addLabel="volume"
          rows={form.volumes}
          blank={{ source: '', destination: '', readOnly: false }}
          onChange={(rows) => set('volumes', rows)}
          render={(v, i, patch) => (
            <>
              <input
                className="mono ctr-grow"
                aria-label={`Volume ${i + 1} host path`}
                placeholder="/host/path"
                value={v.source}
                aria-invalid={!!show(`volumes.${i}.source`)}
                onChange={(e) => patch({ source: e.target.value })}
                onBlur={touch(`volumes.${i}.source`)}
              />
              <span className="ctr-eq">→</span>
              <input
                className="mono ctr-grow"
                aria-label={`Volume ${i + 1} container path`}
                placeholder="/in/container"
                value={v.destination}
                aria-invalid={!!show(`volumes.${i}.destination`)}
                onChange={(e) => patch({ destination: e.target.value })}
                onBlur={touch(`volumes.${i}.destination`)}
              />
              <label className="ctr-check">
                <input type="checkbox" checked={v.readOnly} onChange={(e) => patch({ readOnly: e.target.checked })} />
                read-only
              </label>
              <FieldError
                id={`vol-${i}-err`}
                message={show(`volumes.${i}.source`) ?? show(`volumes.${i}.destination`)}
              />
            </>
          )}
        />

        <div className="ctr-grid">
          <Field
            label="Network"
            hint={<span className="ctr-hint-line">{NETWORK_HINT[form.network]}</span>}
            error={show('network')}
          >
            {({ id }) => (
              <select id={id} value={form.network} onChange={(e) => set('network', e.target.value as Network)}>
                <option value="bridge">bridge</option>
                <option value="host">host</option>
                <option value="none">none</option>
              </select>
            )}
          </Field>
          <Field label="Restart policy" error={undefined}>
            {({ id }) => (
              <select id={id} value={form.restart} onChange={(e) => set('restart', e.target.value as RestartName)}>
                <option value="no">no</option>
                <option value="on-failure">on-failure</option>
                <option value="always">always</option>
                <option value="unless-stopped">unless-stopped</option>
              </select>
            )}
          </Field>
          <Field label="Max retries" hint="(0 = unlimited)" error={show('maxRetries')}>
            {textInput('maxRetries', { inputMode: 'numeric', disabled: form.restart !== 'on-failure' })}
          </Field>
        </div>

        <Rows<PortRow>
          legend="Ports"
          addLabel="port"
          rows={form.ports}
          blank={{ hostPort: '', containerPort: '', protocol: 'tcp' }}
          onChange={(rows) => set('ports', rows)}
          disabled={!bridge}
          disabledNote="Publishing ports needs the bridge network."
          render={(p, i, patch) => (
            <>
              <input
                className="mono ctr-port"
                inputMode="numeric"
                aria-label={`Port ${i + 1} host port`}
                placeholder="host"
                value={p.hostPort}
                aria-invalid={!!show(`ports.${i}.hostPort`)}
                onChange={(e) => patch({ hostPort: e.target.value })}
                onBlur={touch(`ports.${i}.hostPort`)}
              />
              <span className="ctr-eq">→</span>
              <input
                className="mono ctr-port"
                inputMode="numeric"
                aria-label={`Port ${i + 1} container port`}
                placeholder="container"
                value={p.containerPort}
                aria-invalid={!!show(`ports.${i}.containerPort`)}
                onChange={(e) => patch({ containerPort: e.target.value })}
                onBlur={touch(`ports.${i}.containerPort`)}
              />
              <select
                aria-label={`Port ${i + 1} protocol`}
                value={p.protocol}
                onChange={(e) => patch({ protocol: e.target.value as 'tcp' | 'udp' })}
              >
                <option value="tcp">tcp</option>
                <option value="udp">udp</option>
              </select>
              <FieldError
                id={`port-${i}-err`}
                message={show(`ports.${i}.hostPort`) ?? show(`ports.${i}.containerPort`)}
              />
            </>
          )}
        />

        <fieldset className="ctr-fieldset">
          <legend>Terminal</legend>
          <div className="ctr-inline">
            <label className="ctr-check">
              <input type="checkbox" checked={form.tty} onChange={(e) => set('tty', e.target.checked)} />
              tty (allocate a pty, -t)
            </label>
            <label className="ctr-check">
              <input type="checkbox" checked={form.openStdin} onChange={(e) => set('openStdin', e.target.checked)} />
              stdin open (-i)
            </label>
          </div>
        </fieldset>

        <fieldset className="ctr-fieldset">
          <legend>Limits</legend>
          <div className="ctr-grid ctr-grid-4">
            <Field label="Memory MiB" hint={<code>memory.max</code>} error={show('memoryMiB')}>
              {textInput('memoryMiB', { inputMode: 'decimal', placeholder: 'unlimited' })}
            </Field>
            <Field label="CPUs" hint={<code>cpu.max</code>} error={show('cpus')}>
              {textInput('cpus', { inputMode: 'decimal', placeholder: 'unlimited' })}
            </Field>
            <Field label="CPU set" hint={<code>cpuset.cpus</code>} error={show('cpuset')}>
              {textInput('cpuset', { className: 'mono', placeholder: 'all, e.g. 0-1,3' })}
            </Field>
            <Field label="PIDs max" hint={<code>pids.max</code>} error={show('pidsMax')}>
              {textInput('pidsMax', { inputMode: 'numeric', placeholder: 'unlimited' })}
            </Field>
          </div>
        </fieldset>

        <SecuritySection form={form} set={set} show={show} touch={touch} />

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
          <button type="button" className="button ctr-primary" disabled={submit.isPending} onClick={() => go(true)}>
            {submit.isPending ? 'Working…' : created ? 'Start' : 'Create and start'}
          </button>
        </footer>
      </form>
    </Dialog>
  );
}
