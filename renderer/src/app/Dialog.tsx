/**
 * A modal on the native <dialog> element (focus trap, Escape, inert
 * background for free). Rendered while open, in a portal on <body> so it
 * inherits nothing from where it was opened (a table cell's nowrap, …);
 * `onClose` runs on Escape or the close button. Styled by ui/dialog.css
 * (.dialog, .dialog-header, .icon-button); `look="ctr"` picks the containers
 * feature's own layout instead (.ctr-dialog: a bordered header, no padding).
 */
import '../ui/dialog.css';
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { createPortal } from 'react-dom';

export function Dialog({
  title,
  onClose,
  children,
  look,
  className,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  look?: 'ctr';
  className?: string;
}): ReactNode {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const prefix = look ? `${look}-` : '';
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return createPortal(
    <dialog
      ref={ref}
      className={`${prefix}dialog${className ? ` ${className}` : ''}`}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <header className={`${prefix}dialog-header`}>
        <h2 id={titleId}>{title}</h2>
        <button type="button" className={`${prefix}icon-button`} aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      {children}
    </dialog>,
    document.body,
  );
}
