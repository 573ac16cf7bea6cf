/**
 * The Create dialog's form state: what the user typed, which fields were
 * touched, whether a submit was tried, and the request those make
 * (`buildRequest`, validated by the contract's schema). A field's message
 * shows once it has been edited (live, as you type) or left, or after a
 * submit; messages appear while typing rather than on the click that leaves
 * a field, so they never move a button under the pointer.
 */
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useBerth } from '../../app/client';
import { imagesQueries } from '../images/queries';
import { buildRequest, emptyForm, type BuildResult, type CreateForm, type FieldErrors } from './create-form';

export type SetField = <K extends keyof CreateForm>(k: K, v: CreateForm[K]) => void;

export interface ImageOption {
  value: string;
  label: string;
}

export interface CreateFormState {
  form: CreateForm;
  /** The image the request names: the chosen one, or the default once the list arrives. */
  image: string;
  imageOptions: ImageOption[];
  images: ReturnType<typeof useImageList>;
  built: BuildResult;
  errors: FieldErrors;
  set: SetField;
  /** The message of a field, once it should show. */
  show: (key: string) => string | undefined;
  /** An onBlur that marks a field touched. */
  touch: (key: string) => () => void;
  submitted: boolean;
  markSubmitted: () => void;
}

function useImageList() {
  const client = useBerth();
  return useQuery({ ...imagesQueries.list(client), refetchOnMount: 'always' });
}

export function useCreateForm(): CreateFormState {
  const images = useImageList();
  const imageOptions = useMemo(
    () =>
      (images.data ?? []).flatMap((img) =>
        img.repoTags.length > 0
          ? img.repoTags.map((t) => ({ value: t, label: `${t}  (${img.shortId})` }))
          : [{ value: img.id, label: `<none>  (${img.shortId})` }],
      ),
    [images.data],
  );
  const [form, setForm] = useState<CreateForm>(() => emptyForm());
  const [submitted, setSubmitted] = useState(false);
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  // The image defaults to busybox:latest, else the first one listed, once the list arrives.
  const image = form.image || (imageOptions.find((o) => o.value === 'busybox:latest') ?? imageOptions[0])?.value || '';
  const built = buildRequest({ ...form, image });
  const errors = built.ok ? {} : built.errors;
  const show = (key: string): string | undefined =>
    submitted || touched.has(key) || touched.has(key.split('.')[0]!) ? errors[key] : undefined;
  const markTouched = (key: string) => setTouched((t) => (t.has(key) ? t : new Set(t).add(key)));
  const set: SetField = (k, v) => {
    markTouched(k);
    setForm((f) => ({ ...f, [k]: v }));
  };
  return {
    form,
    image,
    imageOptions,
    images,
    built,
    errors,
    set,
    show,
    touch: (key) => () => markTouched(key),
    submitted,
    markSubmitted: () => setSubmitted(true),
  };
}
