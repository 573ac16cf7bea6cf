import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { createClient } from './app/client';
import { createQueryClient } from './app/query';
import { pickTransport } from './app/transport';
import { applyThemeHint } from './app/preferences/theme';
import './app/styles.css';

const rootElement = document.getElementById('root');
if (!rootElement) throw new Error('index.html has no #root element');

applyThemeHint(document.documentElement);

const client = createClient(pickTransport());
const queryClient = createQueryClient();

createRoot(rootElement).render(
  <StrictMode>
    <App client={client} queryClient={queryClient} />
  </StrictMode>,
);
