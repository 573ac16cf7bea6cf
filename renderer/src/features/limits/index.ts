/** The limits editor, mounted as the Containers details view's "Limits" tab and on `#/resources/<id>`. */
export { ContainerLimitsTab } from './ContainerLimitsTab';
