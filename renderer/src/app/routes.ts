/**
 * The route table: the navigation and the router both read it, so a page
 * slots in by adding one entry (Containers, Images, Layers, Namespaces,
 * Resources come here as they are built). Only pages that work are listed.
 */
import type { ComponentType } from 'react';
import { lazyNamed } from './lazy';
import { routeMatches } from './router';

// Each page is its own chunk, loaded when first shown (Shell's Suspense).
const SystemPage = lazyNamed(() => import('../features/system/SystemPage'), 'SystemPage');
const ContainersPage = lazyNamed(() => import('../features/containers/ContainersPage'), 'ContainersPage');
const ImagesPage = lazyNamed(() => import('../features/images/ImagesPage'), 'ImagesPage');
const LayersPage = lazyNamed(() => import('../features/layers/LayersPage'), 'LayersPage');
const NamespacesPage = lazyNamed(() => import('../features/namespaces/NamespacesPage'), 'NamespacesPage');
const ResourcesPage = lazyNamed(() => import('../features/resources/ResourcesPage'), 'ResourcesPage');
const NetworksPage = lazyNamed(() => import('../features/networks/NetworksPage'), 'NetworksPage');
const SettingsPage = lazyNamed(() => import('../features/settings/SettingsPage'), 'SettingsPage');
const VolumesPage = lazyNamed(() => import('../features/volumes/VolumesPage'), 'VolumesPage');
const DiskPage = lazyNamed(() => import('../features/disk/DiskPage'), 'DiskPage');
const PodsPage = lazyNamed(() => import('../features/pods/PodsPage'), 'PodsPage');
const ProjectsPage = lazyNamed(() => import('../features/projects/ProjectsPage'), 'ProjectsPage');
const BuildPage = lazyNamed(() => import('../features/build/BuildPage'), 'BuildPage');

export interface RouteEntry {
  /** Hash path, e.g. "/system" → "#/system". */
  path: string;
  label: string;
  /** A single glyph shown before the label (decorative, hidden from screen readers). */
  glyph: string;
  component: ComponentType;
}

export const routes: readonly RouteEntry[] = [
  { path: '/system', label: 'System', glyph: '⌬', component: SystemPage },
  { path: '/containers', label: 'Containers', glyph: '▣', component: ContainersPage },
  { path: '/pods', label: 'Pods', glyph: '⧉', component: PodsPage },
  { path: '/projects', label: 'Projects', glyph: '▦', component: ProjectsPage },
  { path: '/images', label: 'Images', glyph: '▤', component: ImagesPage },
  { path: '/layers', label: 'Layers', glyph: '≋', component: LayersPage },
  { path: '/namespaces', label: 'Namespaces', glyph: '⊚', component: NamespacesPage },
  { path: '/resources', label: 'Resources', glyph: '◔', component: ResourcesPage },
  { path: '/networks', label: 'Networks', glyph: '⧉', component: NetworksPage },
  { path: '/settings', label: 'Settings', glyph: '⚙', component: SettingsPage },
  { path: '/volumes', label: 'Volumes', glyph: '⛁', component: VolumesPage },
  { path: '/disk', label: 'Disk', glyph: '◧', component: DiskPage },
  { path: '/build', label: 'Build', glyph: '⚒', component: BuildPage },
];

export const defaultRoute: RouteEntry = routes[0]!;

/** The route owning `path`, sub-paths included, so a page can address its details (`#/images/<ref>/layers`). */
export function findRoute(path: string): RouteEntry | undefined {
  return routes.find((r) => routeMatches(r.path, path));
}
