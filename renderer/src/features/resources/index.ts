/**
 * What other features mount: the Containers details view shows these as its
 * "Resources" and "Limits" tabs (`id` = the container's id or name).
 */
export { ContainerResourcesTab } from './ContainerResourcesTab';
export { ContainerLimitsTab } from '../limits/ContainerLimitsTab';
export { ResourcesPage } from './ResourcesPage';
export { containerResourcesHref } from './route';
