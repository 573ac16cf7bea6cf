/**
 * index.json of the store as an OCI image index: one descriptor per tag
 * (annotated `org.opencontainers.image.ref.name` with the full normalized
 * reference, and containerd's `io.containerd.image.name` with the same), and
 * one descriptor without a name for an image that has no tag. These pure
 * functions keep that invariant; the store writes the result atomically.
 */
import type { Descriptor, ImageIndex } from '../../oci/oci-types';
import { MediaTypes } from '../../oci/oci-types';

export const REF_NAME = 'org.opencontainers.image.ref.name';
export const CONTAINERD_NAME = 'io.containerd.image.name';

export type IndexDoc = ImageIndex & { manifests: Descriptor[] };

export function emptyIndex(): IndexDoc {
  return { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [] };
}

export function refName(d: Descriptor): string | undefined {
  return d.annotations?.[REF_NAME];
}

/** Manifest digests in index order, each once. */
export function manifestDigests(doc: IndexDoc): string[] {
  return [...new Set(doc.manifests.map((d) => d.digest))];
}

export function tagsOf(doc: IndexDoc, digest: string): string[] {
  return doc.manifests.flatMap((d) => {
    const name = d.digest === digest ? refName(d) : undefined;
    return name === undefined ? [] : [name];
  });
}

export function digestOfTag(doc: IndexDoc, tag: string): string | undefined {
  return doc.manifests.find((d) => refName(d) === tag)?.digest;
}

/** The descriptor without annotations we keep for an image (copied from any entry of it). */
export function baseDescriptor(doc: IndexDoc, digest: string): Descriptor | undefined {
  const d = doc.manifests.find((m) => m.digest === digest);
  if (!d) return undefined;
  const { annotations: _a, ...rest } = d;
  return rest;
}

/** Adds an untagged entry for `desc` unless the image already has an entry. */
export function ensureImage(doc: IndexDoc, desc: Descriptor): IndexDoc {
  if (doc.manifests.some((d) => d.digest === desc.digest)) return doc;
  const { annotations: _a, ...rest } = desc;
  return { ...doc, manifests: [...doc.manifests, rest] };
}

/**
 * Points `tag` at `desc`. The image it pointed at before (if another) keeps
 * an untagged entry when that was its last tag: like docker's dangling
 * `<none>` images, it stays until removed. Returns the new doc and the
 * digest the tag moved away from.
 */
export function setTag(doc: IndexDoc, tag: string, desc: Descriptor): { doc: IndexDoc; movedFrom?: string } {
  const prev = digestOfTag(doc, tag);
  if (prev === desc.digest) return { doc };
  const { annotations: _a, ...base } = desc;
  let manifests = doc.manifests.filter((d) => refName(d) !== tag && !(d.digest === desc.digest && !refName(d)));
  manifests.push({ ...base, annotations: { [REF_NAME]: tag, [CONTAINERD_NAME]: tag } });
  if (prev !== undefined && !manifests.some((d) => d.digest === prev)) {
    const old = baseDescriptor(doc, prev);
    if (old) manifests = [...manifests, old];
  }
  return prev === undefined ? { doc: { ...doc, manifests } } : { doc: { ...doc, manifests }, movedFrom: prev };
}

/** Removes one tag; the image keeps an untagged entry when `keepImage` and it was the last tag. */
export function removeTag(doc: IndexDoc, tag: string, keepImage: boolean): IndexDoc {
  const digest = digestOfTag(doc, tag);
  if (digest === undefined) return doc;
  const old = baseDescriptor(doc, digest);
  let manifests = doc.manifests.filter((d) => refName(d) !== tag);
  if (keepImage && old && !manifests.some((d) => d.digest === digest)) manifests = [...manifests, old];
  return { ...doc, manifests };
}

/** Removes every entry of an image. */
export function removeImage(doc: IndexDoc, digest: string): IndexDoc {
  return { ...doc, manifests: doc.manifests.filter((d) => d.digest !== digest) };
}
