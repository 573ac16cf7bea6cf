/**
 * Settings: the user's preferences (theme, stop timeout, refresh rate,
 * notifications), stored by main in the user's own file
 * (~/.config/berth/preferences.json, Electron's userData; the same file in
 * web mode, where main runs as the user too). Each change is saved as made.
 */
import './settings.css';
import { useId, useState, type ReactNode } from 'react';
import { ThemeChoice, type PreferencesT } from '../../../../preload/schemas/preferences';
import { useBerth } from '../../app/client';
import { ErrorView } from '../../app/ErrorView';
import { requestWebPermission, webPermission, type WebPermission } from '../../app/notifications/deliver';
import { usePreferences, useSetPreferences } from '../../app/preferences/preferences';

const THEME_LABEL: Record<PreferencesT['theme'], string> = {
  system: 'Follow the system',
  light: 'Light',
  dark: 'Dark',
};

/** A whole-seconds field saved when valid; the text stays as typed while it is not. */
function SecondsField({
  label,
  hint,
  value,
  max,
  onSave,
}: {
  label: string;
  hint: string;
  value: number;
  max: number;
  onSave: (n: number) => void;
}): ReactNode {
  const id = useId();
  const hintId = useId();
  const [text, setText] = useState<string | null>(null);
  const shown = text ?? String(value);
  const valid = /^\d{1,4}$/.test(shown.trim()) && Number(shown) <= max;
  return (
    <div className="set-field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        min={0}
        max={max}
        value={shown}
        aria-invalid={!valid}
        aria-describedby={hintId}
        onChange={(e) => {
          const t = e.target.value;
          setText(t);
          if (/^\d{1,4}$/.test(t.trim()) && Number(t) <= max) onSave(Number(t));
        }}
        onBlur={() => valid && setText(null)}
      />
      <span className="set-unit">s</span>
      <p id={hintId} className="set-hint">
        {valid ? hint : `Whole seconds, 0 to ${max}; ${value} is kept.`}
      </p>
    </div>
  );
}

function NotificationPermission(): ReactNode {
  const client = useBerth();
  const [perm, setPerm] = useState<WebPermission>(webPermission);
  if (client.transport === 'electron') return <p className="set-hint">Shown by the desktop's notification service.</p>;
  if (perm === 'unsupported')
    return <p className="set-hint">This browser has no notifications: they show in the window only.</p>;
  if (perm === 'granted') return <p className="set-hint">This browser shows them on the desktop too.</p>;
  if (perm === 'denied')
    return (
      <p className="set-hint">
        This browser refused them (its site settings can allow them): they show in the window only.
      </p>
    );
  return (
    <p className="set-hint">
      They show in the window.{' '}
      <button type="button" className="button" onClick={() => void requestWebPermission().then(setPerm)}>
        Show them on the desktop too
      </button>
    </p>
  );
}

export function SettingsPage(): ReactNode {
  const prefs = usePreferences();
  const set = useSetPreferences();
  const themeName = useId();
  const notifyId = useId();
  return (
    <section className="page set-page" aria-labelledby="settings-title">
      <header className="page-header">
        <div>
          <h1 id="settings-title">Settings</h1>
          <p className="subtitle">Yours only: kept by Berth's main process in ~/.config/berth/preferences.json</p>
        </div>
      </header>
      {set.isError && <ErrorView error={set.error} title="Could not save the setting" />}
      <div className="cards">
        <section className="card card-half" aria-labelledby="set-look">
          <h2 id="set-look">Appearance</h2>
          <fieldset className="set-choices">
            <legend>Theme</legend>
            {ThemeChoice.options.map((t) => (
              <label key={t}>
                <input
                  type="radio"
                  name={themeName}
                  value={t}
                  checked={prefs.theme === t}
                  onChange={() => set.mutate({ theme: t })}
                />
                {THEME_LABEL[t]}
              </label>
            ))}
          </fieldset>
        </section>
        <section className="card card-half" aria-labelledby="set-behaviour">
          <h2 id="set-behaviour">Behaviour</h2>
          <SecondsField
            label="Stop timeout"
            hint="Stop and Restart send SIGTERM, then SIGKILL after this long."
            value={prefs.stopTimeoutSeconds}
            max={3600}
            onSave={(n) => set.mutate({ stopTimeoutSeconds: n })}
          />
          <SecondsField
            label="Refresh rate"
            hint="How often container and image lists are asked for again while shown (0: only on events)."
            value={prefs.refreshSeconds}
            max={3600}
            onSave={(n) => set.mutate({ refreshSeconds: n })}
          />
          <div className="set-field set-check">
            <input
              id={notifyId}
              type="checkbox"
              checked={prefs.notifications}
              onChange={(e) => set.mutate({ notifications: e.target.checked })}
            />
            <label htmlFor={notifyId}>Notify when a container dies, is OOM-killed or restarts in a loop</label>
          </div>
          <NotificationPermission />
        </section>
        <section className="card card-full" aria-labelledby="set-keys">
          <h2 id="set-keys">Keyboard</h2>
          <table className="table set-keys">
            <caption className="set-hint">Outside text fields; the palette lists every command with its key.</caption>
            <thead>
              <tr>
                <th scope="col">Keys</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {(
                [
                  ['Ctrl+K', 'Command palette and search (containers, images…)'],
                  ['Alt+1 … Alt+9', 'Go to the n-th page of the sidebar'],
                  ['/', "Focus the page's search, or open the palette"],
                  ['S · X · R', 'Start · stop · restart the selected container (its details, or the focused row)'],
                  ['Delete', 'Remove the selected container (asks first)'],
                ] as const
              ).map(([k, a]) => (
                <tr key={k}>
                  <td>
                    <kbd>{k}</kbd>
                  </td>
                  <td>{a}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
    </section>
  );
}
