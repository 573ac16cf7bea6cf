/**
 * "Follow" for a log view (the container Logs tab, a project's logs): while
 * it is on, the view is kept scrolled to its bottom whenever what it shows
 * changes; scrolling up turns it off, scrolling back to the bottom turns it
 * on again. The Follow checkbox sets it too.
 */
import { useLayoutEffect, useRef, useState } from 'react';

/** How close to the bottom (px) still counts as at the bottom. */
const SLACK_PX = 8;

export function useFollowBottom(shown: unknown, layout?: unknown) {
  const [follow, setFollow] = useState(true);
  const view = useRef<HTMLDivElement>(null);

  // `layout`: anything else that changes the view's height (the timestamps column).
  useLayoutEffect(() => {
    const el = view.current;
    if (follow && el) el.scrollTop = el.scrollHeight;
  }, [shown, layout, follow]);

  const onScroll = () => {
    const el = view.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < SLACK_PX;
    if (atBottom !== follow) setFollow(atBottom);
  };

  return { view, follow, setFollow, onScroll };
}
