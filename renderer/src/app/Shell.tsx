/** Sidebar navigation (from the route table), the current page, the status bar. */
import { Suspense, useEffect, type ReactNode } from 'react';
import { ErrorBoundary } from './ErrorBoundary';
import { replaceHash } from './hash';
import { lazyNamed } from './lazy';
import { hrefFor, useHashPath } from './router';
import { defaultRoute, findRoute, routes } from './routes';
import { StatusBar } from './StatusBar';
import { CommandPalette } from './commands/CommandPalette';
import { searchSources } from './commands/search-sources';
import { useCommandCenter } from './commands/useCommandCenter';

// The palette's Remove opens the containers feature's own dialog; loaded when first asked for.
const RemoveDialog = lazyNamed(() => import('../features/containers/RemoveDialog'), 'RemoveDialog');

function NotFound({ path }: { path: string }): ReactNode {
  return (
    <section className="page">
      <header className="page-header">
        <h1>Not found</h1>
      </header>
      <p>
        There is no page at <code>{path}</code>. <a href={hrefFor(defaultRoute.path)}>Go to {defaultRoute.label}</a>.
      </p>
    </section>
  );
}

export function Shell(): ReactNode {
  const path = useHashPath();
  const isRoot = path === '/';
  const route = isRoot ? defaultRoute : findRoute(path);

  useEffect(() => {
    if (isRoot) replaceHash(defaultRoute.path); // no extra Back step
  }, [isRoot]);

  useEffect(() => {
    document.title = route ? `${route.label} — Berth` : 'Berth';
  }, [route]);

  const { palette, openPalette, closePalette, navigate, removing, closeRemove, removed } = useCommandCenter();
  const Page = route?.component;
  return (
    <div className="shell">
      <aside className="sidebar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            ⚓
          </span>
          Berth
        </div>
        <nav aria-label="Main">
          <ul>
            {routes.map((r) => (
              <li key={r.path}>
                <a href={hrefFor(r.path)} aria-current={r === route ? 'page' : undefined}>
                  <span className="nav-glyph" aria-hidden="true">
                    {r.glyph}
                  </span>
                  {r.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <button type="button" className="palette-open" onClick={openPalette} aria-keyshortcuts="Control+K">
          <span>Search & commands</span> <kbd>Ctrl K</kbd>
        </button>
      </aside>
      <main className="content">
        <ErrorBoundary key={route?.path ?? path} title={`The ${route?.label ?? ''} page failed to render`}>
          <Suspense fallback={<p className="loading">Loading…</p>}>
            {Page ? <Page /> : <NotFound path={path} />}
          </Suspense>
        </ErrorBoundary>
      </main>
      <StatusBar />
      {palette && (
        <CommandPalette
          commands={palette.commands}
          sources={searchSources}
          onClose={closePalette}
          navigate={navigate}
        />
      )}
      {removing && (
        <Suspense fallback={null}>
          <RemoveDialog key={removing.id} c={removing} onClose={closeRemove} onRemoved={() => removed(removing)} />
        </Suspense>
      )}
    </div>
  );
}
