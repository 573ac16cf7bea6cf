/**
 * The Create dialog's Security section: what the container may do to the
 * host. Everything off is the default container (docker's capabilities,
 * the default seccomp profile, the device allowlist, masked /proc paths, a
 * read-only /sys, no_new_privs). Each relaxation is an explicit control and
 * is listed under "Relaxed" in words; hardening options under "Hardened".
 */
import { useId, useState, type ReactNode } from 'react';
import { CAPABILITY_NAMES, DEFAULT_CAPABILITY_NAMES } from '../../../../preload/schemas/capabilities';
import { securitySummary, type CreateForm, type DeviceRow, type RuleRow, type SeccompChoice } from './create-form';
import { FieldError, Rows } from './FormRows';

type Set = <K extends keyof CreateForm>(k: K, v: CreateForm[K]) => void;

/** A list of capability names with a picker to add one (ALL included) and a button to take each away. */
function CapabilityPicker({
  label,
  hint,
  value,
  options,
  onChange,
  error,
  tone,
}: {
  label: string;
  hint: string;
  value: string[];
  options: readonly string[];
  onChange: (v: string[]) => void;
  error: string | undefined;
  tone: 'relax' | 'harden';
}): ReactNode {
  const id = useId();
  const [pick, setPick] = useState('');
  const left = ['ALL', ...options].filter((o) => !value.includes(o));
  const chosen = pick && left.includes(pick) ? pick : (left[0] ?? '');
  return (
    <div className="ctr-field ctr-caps">
      <label htmlFor={id}>
        {label} <span className="ctr-hint">{hint}</span>
      </label>
      <div className="ctr-inline">
        <select id={id} value={chosen} onChange={(e) => setPick(e.target.value)} className="mono">
          {left.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="ctr-btn"
          disabled={!chosen}
          onClick={() => {
            onChange([...value, chosen]);
            setPick('');
          }}
        >
          + {label.toLowerCase()}
        </button>
      </div>
      <ul className="ctr-chips" aria-label={`${label}: chosen`}>
        {value.map((c) => (
          <li key={c} className={`ctr-chip ctr-chip-${tone}`}>
            <span className="mono">{c}</span>
            <button
              type="button"
              className="ctr-icon-button"
              aria-label={`Remove ${c} from ${label.toLowerCase()}`}
              onClick={() => onChange(value.filter((x) => x !== c))}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <FieldError id={`${id}-err`} message={error} />
    </div>
  );
}

export function SecuritySection({
  form,
  set,
  show,
  touch,
}: {
  form: CreateForm;
  set: Set;
  show: (key: string) => string | undefined;
  touch: (key: string) => () => void;
}): ReactNode {
  const seccompName = useId();
  const fileId = useId();
  const [fileError, setFileError] = useState<string | null>(null);
  const summary = securitySummary(form);
  const others = CAPABILITY_NAMES.filter((c) => !DEFAULT_CAPABILITY_NAMES.includes(c));

  const readProfile = async (file: File | undefined): Promise<void> => {
    setFileError(null);
    if (!file) return;
    if (file.size > 1024 * 1024) {
      setFileError(`${file.name} is ${file.size} bytes: a profile is at most 1 MiB`);
      return;
    }
    try {
      set('seccompProfile', { name: file.name, text: await file.text() });
    } catch (e) {
      setFileError(`could not read ${file.name}: ${(e as Error).message}`);
    }
  };

  return (
    <fieldset className="ctr-fieldset ctr-security" aria-describedby={`${seccompName}-summary`}>
      <legend>Security</legend>
      <p className="muted ctr-note">
        Off and empty is the default container: docker&apos;s 14 capabilities, the default seccomp profile, the device
        allowlist, masked <code>/proc</code> paths, a read-only <code>/sys</code> and <code>no_new_privs</code> (always
        on).
      </p>

      <label className="ctr-check ctr-danger-check">
        <input type="checkbox" checked={form.privileged} onChange={(e) => set('privileged', e.target.checked)} />
        <span>
          <strong className="ctr-danger-label">Privileged — dangerous</strong> (--privileged): turns off the capability
          limit (all capabilities), seccomp, the device allowlist (every host device), the masked and read-only{' '}
          <code>/proc</code> paths and the read-only <code>/sys</code>. The container&apos;s root can then take over the
          host.
        </span>
      </label>

      <div className="ctr-grid">
        <CapabilityPicker
          label="Cap add"
          hint="(--cap-add)"
          value={form.capAdd}
          options={[...others, ...DEFAULT_CAPABILITY_NAMES.filter((c) => form.capDrop.includes(c))]}
          onChange={(v) => set('capAdd', v)}
          error={show('capAdd')}
          tone="relax"
        />
        <CapabilityPicker
          label="Cap drop"
          hint="(--cap-drop, applied first)"
          value={form.capDrop}
          options={DEFAULT_CAPABILITY_NAMES}
          onChange={(v) => set('capDrop', v)}
          error={show('capDrop')}
          tone="harden"
        />
      </div>
      {form.privileged && (form.capAdd.length > 0 || form.capDrop.length > 0) && (
        <p className="muted ctr-note">Privileged ignores cap add/drop (as docker does): it has every capability.</p>
      )}

      <div className="ctr-field" role="radiogroup" aria-labelledby={seccompName}>
        <span id={seccompName} className="ctr-label">
          Seccomp profile <span className="ctr-hint">(--security-opt seccomp=…)</span>
        </span>
        <div className="ctr-inline">
          {(
            [
              ['default', 'default (docker semantics)'],
              ['unconfined', 'unconfined — every syscall (relaxed)'],
              ['profile', 'profile file…'],
            ] as Array<[SeccompChoice, string]>
          ).map(([v, text]) => (
            <label key={v} className="ctr-check">
              <input
                type="radio"
                name={seccompName}
                value={v}
                checked={form.seccomp === v}
                onChange={() => set('seccomp', v)}
              />
              {text}
            </label>
          ))}
        </div>
        {form.seccomp === 'profile' && (
          <div className="ctr-inline">
            <label htmlFor={fileId}>Docker/OCI JSON profile</label>
            <input
              id={fileId}
              type="file"
              accept=".json,application/json"
              onChange={(e) => void readProfile(e.target.files?.[0])}
              onBlur={touch('seccomp')}
            />
            {form.seccompProfile && (
              <span className="mono ctr-hint">
                {form.seccompProfile.name} ({form.seccompProfile.text.length} bytes, sent as text)
              </span>
            )}
          </div>
        )}
        <FieldError id={`${seccompName}-err`} message={fileError ?? show('seccomp')} />
      </div>

      <div className="ctr-sec-checks">
        <label className="ctr-check">
          <input
            type="checkbox"
            checked={form.readOnlyRootfs}
            onChange={(e) => set('readOnlyRootfs', e.target.checked)}
          />
          read-only root (--read-only; tmpfs on /tmp, /var/tmp, /run)
        </label>
        <label className="ctr-check">
          <input type="checkbox" checked={form.userns} onChange={(e) => set('userns', e.target.checked)} />
          user namespace (--userns: root inside is an unprivileged host id range of its own)
        </label>
      </div>

      <Rows<DeviceRow>
        legend="Devices"
        addLabel="device"
        rows={form.devices}
        blank={{ hostPath: '', containerPath: '', permissions: 'rwm' }}
        onChange={(rows) => set('devices', rows)}
        render={(d, i, patch) => (
          <>
            <input
              className="mono ctr-grow"
              aria-label={`Device ${i + 1} host path`}
              placeholder="/dev/fuse"
              value={d.hostPath}
              aria-invalid={!!show(`devices.${i}.hostPath`)}
              onChange={(e) => patch({ hostPath: e.target.value })}
              onBlur={touch(`devices.${i}.hostPath`)}
            />
            <span className="ctr-eq">→</span>
            <input
              className="mono ctr-grow"
              aria-label={`Device ${i + 1} container path`}
              placeholder="same path"
              value={d.containerPath}
              aria-invalid={!!show(`devices.${i}.containerPath`)}
              onChange={(e) => patch({ containerPath: e.target.value })}
              onBlur={touch(`devices.${i}.containerPath`)}
            />
            <input
              className="mono ctr-port"
              aria-label={`Device ${i + 1} permissions`}
              placeholder="rwm"
              value={d.permissions}
              aria-invalid={!!show(`devices.${i}.permissions`)}
              onChange={(e) => patch({ permissions: e.target.value })}
              onBlur={touch(`devices.${i}.permissions`)}
            />
            <FieldError
              id={`dev-${i}-err`}
              message={
                show(`devices.${i}.hostPath`) ?? show(`devices.${i}.containerPath`) ?? show(`devices.${i}.permissions`)
              }
            />
          </>
        )}
      />

      <Rows<RuleRow>
        legend="Device cgroup rules"
        addLabel="rule"
        rows={form.deviceCgroupRules}
        blank={{ rule: '' }}
        onChange={(rows) => set('deviceCgroupRules', rows)}
        render={(r, i, patch) => (
          <>
            <input
              className="mono ctr-grow"
              aria-label={`Device cgroup rule ${i + 1}`}
              placeholder="c 10:229 rwm"
              value={r.rule}
              aria-invalid={!!show(`deviceCgroupRules.${i}`)}
              onChange={(e) => patch({ rule: e.target.value })}
              onBlur={touch(`deviceCgroupRules.${i}`)}
            />
            <FieldError id={`rule-${i}-err`} message={show(`deviceCgroupRules.${i}`)} />
          </>
        )}
      />

      <div id={`${seccompName}-summary`} className="ctr-sec-summary" aria-live="polite">
        {summary.relaxations.length === 0 ? (
          <p className="muted">Nothing relaxed: the default container.</p>
        ) : (
          <div className="ctr-relaxed" role="note" aria-label="Relaxed">
            <strong>Relaxed:</strong>
            <ul>
              {summary.relaxations.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          </div>
        )}
        {summary.hardening.length > 0 && (
          <div className="ctr-hardened" role="note" aria-label="Hardened">
            <strong>Hardened:</strong>
            <ul>
              {summary.hardening.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          </div>
        )}
      </div>
    </fieldset>
  );
}
