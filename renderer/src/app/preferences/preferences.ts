/**
 * The user's preferences as the renderer sees them: one query
 * (`preferences.get`, served by main from the user's own file), one mutation
 * that shows the change at once and keeps main's answer, and what applies
 * them app-wide (`<PreferencesEffects/>`: the theme on <html>, the polling rate).
 */
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import {
  DEFAULT_PREFERENCES,
  type PreferencesPatchT,
  type PreferencesT,
} from '../../../../preload/schemas/preferences';
import { useBerth, type BerthClient } from '../client';
import { setPollInterval } from '../query';
import { applyTheme } from './theme';

export const preferencesKeys = { all: ['preferences'] as const };

export const preferencesQuery = (client: BerthClient) =>
  queryOptions({
    queryKey: preferencesKeys.all,
    queryFn: () => client.invoke('preferences.get', {}),
    staleTime: Infinity,
  });

/** The preferences; the defaults until main answers (or where it cannot). */
export function usePreferences(): PreferencesT {
  const client = useBerth();
  return useQuery(preferencesQuery(client)).data ?? DEFAULT_PREFERENCES;
}

export function useSetPreferences() {
  const client = useBerth();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (patch: PreferencesPatchT) => client.invoke('preferences.set', patch),
    onMutate: (patch) => {
      const before = qc.getQueryData<PreferencesT>(preferencesKeys.all);
      qc.setQueryData<PreferencesT>(preferencesKeys.all, { ...(before ?? DEFAULT_PREFERENCES), ...patch });
      return { before };
    },
    onSuccess: (stored) => qc.setQueryData(preferencesKeys.all, stored),
    // Not stored: show what is.
    onError: () => void qc.invalidateQueries({ queryKey: preferencesKeys.all }),
  });
}

/** Mounted once in App: applies the theme and the refresh rate wherever they come from. */
export function PreferencesEffects(): null {
  const prefs = usePreferences();
  const qc = useQueryClient();
  useEffect(() => applyTheme(document.documentElement, prefs.theme), [prefs.theme]);
  useEffect(() => setPollInterval(qc, prefs.refreshSeconds * 1000), [qc, prefs.refreshSeconds]);
  return null;
}
