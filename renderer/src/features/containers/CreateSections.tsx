/**
 * The Create dialog's sections, one per concern, in the order the dialog
 * shows them: the process (image, name, command, environment), mounts,
 * network and restart policy with published ports, the terminal, and the
 * cgroup limits. Security has its own file (SecuritySection.tsx).
 */
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useBerth } from '../../app/client';
import { ErrorView } from '../../app/ErrorView';
import { networksQueries } from '../networks/queries';
import {
  canPublish,
  type EnvRow,
  type MountRow,
  type Network,
  type PortRow,
  type RestartName,
  type VolumeRow,
} from './create-form';
import { Field, textInput } from './CreateField';
import { FieldError, Rows } from './FormRows';
import type { CreateFormState } from './useCreateForm';

const NETWORK_HINT: Record<string, string> = {
  bridge: 'own netns, NAT, ports',
  host: "the host's netns",
  none: 'own netns, loopback only',
};
const USER_NETWORK_HINT = 'user network: peers by name';

type SectionProps = { s: CreateFormState };

/** Image, name, command and environment: what runs. */
export function ProcessSection({ s }: SectionProps): ReactNode {
  const { show } = s;
  return (
    <>
      <div className="ctr-grid">
        <ImageField s={s} />
        <Field label="Name" hint="(optional)" error={show('name')}>
          {textInput(s, 'name', { placeholder: 'random if empty', autoComplete: 'off', spellCheck: false })}
        </Field>
        <Field
          label="Command"
          hint="(split like a shell; empty = the image's Cmd)"
          error={show('command')}
          className="ctr-span-3"
        >
          {textInput(s, 'command', {
            className: 'mono',
            placeholder: `sh -c "echo hello; sleep 600"`,
            autoComplete: 'off',
            spellCheck: false,
          })}
        </Field>
      </div>

      <EnvRows s={s} />
    </>
  );
}

/** The image picker: the stored images by tag (untagged ones by ID). */
function ImageField({ s }: SectionProps): ReactNode {
  const { set, show, touch, image, imageOptions, images } = s;
  return (
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
  );
}

function EnvRows({ s }: SectionProps): ReactNode {
  const { form, set, show, touch } = s;
  return (
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
  );
}

const SOURCE_HINT: Record<MountRow['type'], string> = {
  volume: 'volume name (empty: anonymous)',
  bind: '/host/path',
  tmpfs: '(in memory)',
};

/** Host paths bound into the container, and --mount entries: named volumes, binds, tmpfs. */
export function MountsSection({ s }: SectionProps): ReactNode {
  return (
    <>
      <BindRows s={s} />
      <MountRows s={s} />
    </>
  );
}

function MountRows({ s }: SectionProps): ReactNode {
  const { form, set, show, touch } = s;
  return (
    <Rows<MountRow>
      legend="Mounts"
      addLabel="mount"
      rows={form.mounts}
      blank={{ type: 'volume', source: '', target: '', readOnly: false, sizeMiB: '' }}
      onChange={(rows) => set('mounts', rows)}
      render={(m, i, patch) => (
        <>
          <select
            aria-label={`Mount ${i + 1} type`}
            value={m.type}
            onChange={(e) => patch({ type: e.target.value as MountRow['type'] })}
          >
            <option value="volume">volume</option>
            <option value="bind">bind</option>
            <option value="tmpfs">tmpfs</option>
          </select>
          {m.type === 'tmpfs' ? (
            <input
              className="mono"
              aria-label={`Mount ${i + 1} size (MiB)`}
              placeholder="size MiB"
              value={m.sizeMiB}
              aria-invalid={!!show(`mounts.${i}.sizeMiB`)}
              onChange={(e) => patch({ sizeMiB: e.target.value })}
              onBlur={touch(`mounts.${i}.sizeMiB`)}
            />
          ) : (
            <input
              className="mono ctr-grow"
              aria-label={`Mount ${i + 1} source`}
              placeholder={SOURCE_HINT[m.type]}
              value={m.source}
              aria-invalid={!!show(`mounts.${i}.source`)}
              onChange={(e) => patch({ source: e.target.value })}
              onBlur={touch(`mounts.${i}.source`)}
            />
          )}
          <span className="ctr-eq">→</span>
          <input
            className="mono ctr-grow"
            aria-label={`Mount ${i + 1} container path`}
            placeholder="/in/container"
            value={m.target}
            aria-invalid={!!show(`mounts.${i}.target`)}
            onChange={(e) => patch({ target: e.target.value })}
            onBlur={touch(`mounts.${i}.target`)}
          />
          <label className="ctr-check">
            <input type="checkbox" checked={m.readOnly} onChange={(e) => patch({ readOnly: e.target.checked })} />
            read-only
          </label>
          <FieldError
            id={`mount-${i}-err`}
            message={show(`mounts.${i}.source`) ?? show(`mounts.${i}.target`) ?? show(`mounts.${i}.sizeMiB`)}
          />
        </>
      )}
    />
  );
}

function BindRows({ s }: SectionProps): ReactNode {
  const { form, set, show, touch } = s;
  return (
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
          <FieldError id={`vol-${i}-err`} message={show(`volumes.${i}.source`) ?? show(`volumes.${i}.destination`)} />
        </>
      )}
    />
  );
}

/** Network mode, restart policy, and ports published on the bridge. */
export function NetworkSection({ s }: SectionProps): ReactNode {
  const { form, set, show } = s;
  const client = useBerth();
  // User-defined networks join the modes; while the list is loading (or failed) the modes alone are offered.
  const nets = useQuery(networksQueries.list(client));
  const user = (nets.data ?? []).filter((n) => !n.builtin).map((n) => n.name);
  return (
    <>
      <div className="ctr-grid">
        <Field
          label="Network"
          hint={<span className="ctr-hint-line">{NETWORK_HINT[form.network] ?? USER_NETWORK_HINT}</span>}
          error={show('network')}
        >
          {({ id }) => (
            <select id={id} value={form.network} onChange={(e) => set('network', e.target.value as Network)}>
              <option value="bridge">bridge</option>
              <option value="host">host</option>
              <option value="none">none</option>
              {user.length > 0 && (
                <optgroup label="User networks">
                  {user.map((n) => (
                    <option key={n} value={n}>
                      {n}
                    </option>
                  ))}
                </optgroup>
              )}
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
          {textInput(s, 'maxRetries', { inputMode: 'numeric', disabled: form.restart !== 'on-failure' })}
        </Field>
      </div>

      <PortRows s={s} />
    </>
  );
}

/** Ports published on the bridge (the rows are disabled on host and none). */
function PortRows({ s }: SectionProps): ReactNode {
  const { form, set, show, touch } = s;
  const bridge = canPublish(form.network);
  return (
    <Rows<PortRow>
      legend="Ports"
      addLabel="port"
      rows={form.ports}
      blank={{ hostPort: '', containerPort: '', protocol: 'tcp' }}
      onChange={(rows) => set('ports', rows)}
      disabled={!bridge}
      disabledNote="Publishing ports needs the bridge or a user network."
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
          <FieldError id={`port-${i}-err`} message={show(`ports.${i}.hostPort`) ?? show(`ports.${i}.containerPort`)} />
        </>
      )}
    />
  );
}

export function TerminalSection({ s }: SectionProps): ReactNode {
  const { form, set } = s;
  return (
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
  );
}

/** The cgroup limits a container starts with (the Limits tab edits them later). */
export function ResourcesSection({ s }: SectionProps): ReactNode {
  const { show } = s;
  return (
    <fieldset className="ctr-fieldset">
      <legend>Limits</legend>
      <div className="ctr-grid ctr-grid-4">
        <Field label="Memory MiB" hint={<code>memory.max</code>} error={show('memoryMiB')}>
          {textInput(s, 'memoryMiB', { inputMode: 'decimal', placeholder: 'unlimited' })}
        </Field>
        <Field label="CPUs" hint={<code>cpu.max</code>} error={show('cpus')}>
          {textInput(s, 'cpus', { inputMode: 'decimal', placeholder: 'unlimited' })}
        </Field>
        <Field label="CPU set" hint={<code>cpuset.cpus</code>} error={show('cpuset')}>
          {textInput(s, 'cpuset', { className: 'mono', placeholder: 'all, e.g. 0-1,3' })}
        </Field>
        <Field label="PIDs max" hint={<code>pids.max</code>} error={show('pidsMax')}>
          {textInput(s, 'pidsMax', { inputMode: 'numeric', placeholder: 'unlimited' })}
        </Field>
      </div>
    </fieldset>
  );
}
