/** Providers (client, queries) and the app-wide event wiring around the shell. */
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { BerthProvider, type BerthClient } from './client';
import { ErrorBoundary } from './ErrorBoundary';
import { Shell } from './Shell';
import { EventSync } from './sync';
import { Notifications } from './notifications/Notifications';
import { PreferencesEffects } from './preferences/preferences';

export function App({ client, queryClient }: { client: BerthClient; queryClient: QueryClient }): ReactNode {
  return (
    <ErrorBoundary title="Berth failed to start">
      <BerthProvider client={client}>
        <QueryClientProvider client={queryClient}>
          <EventSync />
          <PreferencesEffects />
          <Shell />
          <Notifications />
        </QueryClientProvider>
      </BerthProvider>
    </ErrorBoundary>
  );
}
