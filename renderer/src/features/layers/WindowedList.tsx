/**
 * A windowed (virtualized) list: fixed row height, rows absolutely
 * positioned inside a sizer as tall as the whole list, and only the rows in
 * the viewport (plus `overscan` each side) in the DOM. 100,000 rows cost as
 * much to scroll as 50. The scroll container is the element that carries
 * the list's role and keyboard handling, so it can own aria-activedescendant.
 */
import {
  useCallback,
  useImperativeHandle,
  useLayoutEffect,
  useRef,
  useState,
  type HTMLAttributes,
  type KeyboardEvent,
  type ReactNode,
  type Ref,
} from 'react';
import { computeWindow, scrollTopFor } from './window';

export interface WindowedListHandle {
  /** Scrolls just enough to show row `index`. */
  scrollToIndex(index: number): void;
  /** Rows that fit in the viewport (for PageUp/PageDown). */
  pageSize(): number;
}

export interface WindowedListProps<T> extends Omit<HTMLAttributes<HTMLDivElement>, 'children' | 'onScroll'> {
  items: readonly T[];
  rowHeight: number;
  overscan?: number;
  getKey: (item: T, index: number) => string | number;
  /** The row's content; it is placed in a positioned element with `rowProps`. */
  renderRow: (item: T, index: number) => ReactNode;
  rowProps?: (item: T, index: number) => HTMLAttributes<HTMLDivElement> & { 'data-testid'?: string };
  handleRef?: Ref<WindowedListHandle>;
  onKeyDown?: (e: KeyboardEvent<HTMLDivElement>) => void;
  /** Shown instead of rows when `items` is empty. */
  empty?: ReactNode;
}

export function WindowedList<T>({
  items,
  rowHeight,
  overscan = 12,
  getKey,
  renderRow,
  rowProps,
  handleRef,
  empty,
  className,
  style,
  ...rest
}: WindowedListProps<T>): ReactNode {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(0);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setViewport(el.clientHeight);
    const ro = new ResizeObserver(() => setViewport(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // A shorter list clamps the browser's scrollTop without always firing "scroll".
  // (Only when the length changes: reading scrollTop forces a layout.)
  const count = items.length;
  useLayoutEffect(() => {
    const el = ref.current;
    if (el) setScrollTop(el.scrollTop);
  }, [count]);

  const scrollToIndex = useCallback(
    (index: number) => {
      const el = ref.current;
      if (!el) return;
      const next = scrollTopFor(index, el.scrollTop, el.clientHeight, rowHeight);
      if (next !== null) {
        el.scrollTop = next;
        setScrollTop(el.scrollTop);
      }
    },
    [rowHeight],
  );

  useImperativeHandle(
    handleRef,
    () => ({
      scrollToIndex,
      pageSize: () => Math.max(1, Math.floor((ref.current?.clientHeight ?? rowHeight) / rowHeight) - 1),
    }),
    [scrollToIndex, rowHeight],
  );

  const { start, end } = computeWindow(scrollTop, viewport, rowHeight, items.length, overscan);
  const rows: ReactNode[] = [];
  for (let i = start; i < end; i++) {
    const item = items[i] as T;
    const extra = rowProps?.(item, i);
    rows.push(
      <div
        key={getKey(item, i)}
        {...extra}
        className={`lyr-wl-row${extra?.className ? ` ${extra.className}` : ''}`}
        style={{ transform: `translateY(${i * rowHeight}px)`, height: rowHeight }}
      >
        {renderRow(item, i)}
      </div>,
    );
  }

  return (
    <div
      ref={ref}
      className={`lyr-wl${className ? ` ${className}` : ''}`}
      style={style}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      {...rest}
    >
      {items.length === 0 && empty ? (
        <div className="lyr-wl-empty">{empty}</div>
      ) : (
        <div className="lyr-wl-sizer" role="presentation" style={{ height: items.length * rowHeight }}>
          {rows}
        </div>
      )}
    </div>
  );
}
