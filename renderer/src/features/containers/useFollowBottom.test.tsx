/**
 * Follow in a log view: new lines keep the view at its bottom while it is on;
 * scrolling up turns it off (new lines then leave the view where the user
 * put it); scrolling back to the bottom, or the checkbox, turns it on again.
 * jsdom has no layout, so each line is given 20 px and the view 100 px.
 */
import { fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useFollowBottom } from './useFollowBottom';

function View({ lines, layout }: { lines: string[]; layout?: boolean }) {
  const { view, follow, setFollow, onScroll } = useFollowBottom(lines, layout);
  return (
    <>
      <input type="checkbox" aria-label="Follow" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
      <div ref={view} onScroll={onScroll} data-testid="view">
        {lines.map((l) => (
          <div key={l}>{l}</div>
        ))}
      </div>
    </>
  );
}

const linesOf = (n: number) => Array.from({ length: n }, (_, i) => `line ${i}`);
const tops = new WeakMap<Element, number>();
const LAYOUT = ['scrollHeight', 'clientHeight', 'scrollTop'] as const;

// Layout stubbed on HTMLElement.prototype. happy-dom may define these there
// itself: keep its descriptors and put them back after each test (deleting
// them broke every later file in the worker that reads clientHeight: the
// dom project shares its workers, isolate: false).
const saved = new Map<string, PropertyDescriptor | undefined>();
beforeEach(() => {
  for (const k of LAYOUT) saved.set(k, Object.getOwnPropertyDescriptor(HTMLElement.prototype, k));
  Object.defineProperties(HTMLElement.prototype, {
    scrollHeight: {
      configurable: true,
      get(this: HTMLElement) {
        return this.childElementCount * 20;
      },
    },
    clientHeight: { configurable: true, get: () => 100 },
    scrollTop: {
      configurable: true,
      get(this: HTMLElement) {
        return tops.get(this) ?? 0;
      },
      set(this: HTMLElement, v: number) {
        tops.set(this, v);
      },
    },
  });
});

afterEach(() => {
  for (const k of LAYOUT) {
    const d = saved.get(k);
    if (d) Object.defineProperty(HTMLElement.prototype, k, d);
    else delete (HTMLElement.prototype as unknown as Record<string, unknown>)[k];
  }
});

describe('useFollowBottom', () => {
  it('keeps the bottom in view while following; scrolling up stops it, back to the bottom resumes it', () => {
    const { rerender } = render(<View lines={linesOf(10)} />);
    const view = screen.getByTestId('view');
    const follow = screen.getByRole<HTMLInputElement>('checkbox', { name: 'Follow' });
    expect(view.scrollTop).toBe(200);
    expect(follow.checked).toBe(true);
    rerender(<View lines={linesOf(12)} />);
    expect(view.scrollTop).toBe(240);

    view.scrollTop = 50;
    fireEvent.scroll(view);
    expect(follow.checked).toBe(false);
    rerender(<View lines={linesOf(14)} />);
    expect(view.scrollTop).toBe(50);

    view.scrollTop = 280 - 100 - 4; // within the 8 px of slack
    fireEvent.scroll(view);
    expect(follow.checked).toBe(true);
    expect(view.scrollTop).toBe(280);
  });

  it('the checkbox turns it off and on; a layout change scrolls only while on', () => {
    const lines = linesOf(10);
    const { rerender } = render(<View lines={lines} layout={false} />);
    const view = screen.getByTestId('view');
    const follow = screen.getByRole<HTMLInputElement>('checkbox', { name: 'Follow' });
    fireEvent.click(follow);
    expect(follow.checked).toBe(false);
    view.scrollTop = 0;
    rerender(<View lines={lines} layout={true} />);
    expect(view.scrollTop).toBe(0);
    fireEvent.click(follow);
    expect(view.scrollTop).toBe(200);
    view.scrollTop = 150; // moved without a scroll event (the view grew wider, say)
    rerender(<View lines={lines} layout={false} />);
    expect(view.scrollTop).toBe(200);
  });
});
