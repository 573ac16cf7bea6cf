/**
 * The file tree: a flattened array of visible rows in the windowed list.
 * A WAI-ARIA tree with aria-activedescendant (only rendered rows exist, and
 * the active one is always scrolled into view): ↑/↓, PgUp/PgDn, Home/End
 * move, → opens or goes to the first child, ← closes or goes to the parent,
 * Enter/Space toggle.
 */
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { formatBytes } from '../../ui/units';
import { formatMode } from '../images/format';
import { flattenTree, isOpen, parentPath, toggle, type Expansion, type TreeNode } from './tree';
import { WindowedList, type WindowedListHandle } from './WindowedList';

export const ROW_HEIGHT = 22;

const MARK: Record<NonNullable<TreeNode['change']>, string> = { added: 'A', modified: 'M', removed: 'R' };

function typeLabel(n: TreeNode): string {
  switch (n.type) {
    case 'dir':
      return 'directory';
    case 'symlink':
      return 'symlink';
    case 'hardlink':
      return 'hard link';
    case 'char':
      return 'character device';
    case 'block':
      return 'block device';
    case 'fifo':
      return 'fifo';
    default:
      return 'file';
  }
}

function rowLabel(n: TreeNode): string {
  const parts = [n.name, n.change ?? 'unchanged', typeLabel(n), formatBytes(n.type === 'dir' ? n.total : n.size)];
  if (n.linkname) parts.push(`→ ${n.linkname}`);
  return parts.join(', ');
}

export function FileTree({
  root,
  expansion,
  onExpansion,
  label,
  empty,
  onActive,
}: {
  root: TreeNode;
  expansion: Expansion;
  onExpansion: (e: Expansion) => void;
  label: string;
  empty?: ReactNode;
  /** The active row (clicked or reached with the keyboard), or null: the file preview follows it. */
  onActive?: (n: TreeNode | null) => void;
}): ReactNode {
  const rows = useMemo(() => flattenTree(root, expansion), [root, expansion]);
  const [activePath, setActivePath] = useState<string | null>(null);
  const list = useRef<WindowedListHandle>(null);
  const baseId = useId();
  const activeIndex = useMemo(() => {
    if (activePath === null) return -1;
    return rows.findIndex((r) => r.path === activePath);
  }, [rows, activePath]);

  const active = activeIndex >= 0 ? (rows[activeIndex] ?? null) : null;
  useEffect(() => onActive?.(active), [active, onActive]);

  const activate = (i: number): void => {
    const j = Math.max(0, Math.min(rows.length - 1, i));
    const n = rows[j];
    if (!n) return;
    setActivePath(n.path);
    list.current?.scrollToIndex(j);
  };

  const toggleRow = (n: TreeNode, open?: boolean): void => {
    if (n.children && n.children.length > 0) onExpansion(toggle(expansion, n.path, open));
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (rows.length === 0) return;
    const i = activeIndex < 0 ? 0 : activeIndex;
    const n = rows[i] as TreeNode;
    const page = list.current?.pageSize() ?? 10;
    const open = n.children !== null && n.children.length > 0 && isOpen(expansion, n.path);
    let handled = true;
    switch (e.key) {
      case 'ArrowDown':
        activate(activeIndex < 0 ? 0 : i + 1);
        break;
      case 'ArrowUp':
        activate(i - 1);
        break;
      case 'PageDown':
        activate(i + page);
        break;
      case 'PageUp':
        activate(i - page);
        break;
      case 'Home':
        activate(0);
        break;
      case 'End':
        activate(rows.length - 1);
        break;
      case 'ArrowRight':
        if (n.children && n.children.length > 0) {
          if (!open) toggleRow(n, true);
          else activate(i + 1);
        }
        break;
      case 'ArrowLeft':
        if (open) toggleRow(n, false);
        else {
          const p = parentPath(n.path);
          const pi = rows.findIndex((r) => r.path === p);
          if (pi >= 0) activate(pi);
        }
        break;
      case 'Enter':
      case ' ':
        toggleRow(n);
        break;
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  };

  return (
    <div className="lyr-file-tree">
      <div className="lyr-ft-head" aria-hidden="true">
        <span className="lyr-ft-mark" />
        <span className="lyr-ft-mode">Permission</span>
        <span className="lyr-ft-owner">UID:GID</span>
        <span className="lyr-ft-size">Size</span>
        <span className="lyr-ft-name">Name</span>
      </div>
      <WindowedList
        items={rows}
        rowHeight={ROW_HEIGHT}
        overscan={16}
        className="lyr-ft-list"
        role="tree"
        aria-label={label}
        tabIndex={0}
        aria-activedescendant={activeIndex >= 0 ? `${baseId}-r${activeIndex}` : undefined}
        onKeyDown={onKeyDown}
        onFocus={() => {
          if (activeIndex < 0 && rows.length > 0) setActivePath((rows[0] as TreeNode).path);
        }}
        handleRef={list}
        getKey={(n) => n.path}
        empty={empty}
        rowProps={(n, i) => ({
          id: `${baseId}-r${i}`,
          role: 'treeitem',
          'aria-level': n.depth + 1,
          'aria-expanded': n.children && n.children.length > 0 ? isOpen(expansion, n.path) : undefined,
          'aria-selected': i === activeIndex,
          'aria-label': rowLabel(n),
          'data-path': n.path,
          'data-change': n.change ?? 'unchanged',
          className: `lyr-ft-row${i === activeIndex ? ' lyr-ft-active' : ''}${n.change ? ` lyr-ft-${n.change}` : ''}`,
          onClick: () => setActivePath(n.path),
          onDoubleClick: () => toggleRow(n),
        })}
        renderRow={(n) => {
          const hasKids = n.children !== null && n.children.length > 0;
          const open = hasKids && isOpen(expansion, n.path);
          return (
            <>
              <span
                className={`lyr-ft-mark lyr-chg ${n.change ? `lyr-chg-${n.change}` : 'lyr-chg-none'}`}
                title={n.change ?? 'unchanged'}
              >
                {n.change ? MARK[n.change] : ''}
              </span>
              <span className="lyr-ft-mode mono">{formatMode(n.type, n.mode)}</span>
              <span className="lyr-ft-owner mono">
                {n.uid}:{n.gid}
              </span>
              <span className="lyr-ft-size mono">{formatBytes(n.type === 'dir' ? n.total : n.size)}</span>
              <span className="lyr-ft-name mono" style={{ paddingLeft: n.depth * 14 }}>
                {hasKids ? (
                  <button
                    type="button"
                    tabIndex={-1}
                    className="lyr-ft-twisty"
                    aria-hidden="true"
                    onClick={(e) => {
                      e.stopPropagation();
                      setActivePath(n.path);
                      toggleRow(n);
                    }}
                  >
                    {open ? '▾' : '▸'}
                  </button>
                ) : (
                  <span className="lyr-ft-twisty-space" />
                )}
                <span className={n.type === 'dir' ? 'lyr-ft-dir' : undefined}>{n.name}</span>
                {n.type === 'symlink' && <span className="muted"> → {n.linkname}</span>}
                {n.type === 'hardlink' && <span className="muted"> link to {n.linkname}</span>}
                {n.type === 'dir' && n.implicit && <span className="muted lyr-ft-implicit"> (implied)</span>}
              </span>
            </>
          );
        }}
      />
    </div>
  );
}
