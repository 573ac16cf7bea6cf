/** What other features mount: the Containers details view's "Namespaces" tab. */
export { ContainerNamespacesTab } from './ContainerNamespacesTab';
export { containerNamespacesHref } from './route';
