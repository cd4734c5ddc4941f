'use client';
// A windowed list of fixed-height rows: only the rows in view (plus a margin) are in the DOM, so
// tens of thousands of rows scroll as smoothly as ten.
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';

export interface VirtualListProps<T> {
  items: T[];
  rowHeight: number;
  height: number | string;
  overscan?: number;
  keyOf: (item: T) => string | number;
  renderRow: (item: T, index: number) => ReactNode;
  testId?: string;
  label: string;
  /** scroll this index into view when it changes (keyboard selection) */
  focusIndex?: number;
}

export function VirtualList<T>({ items, rowHeight, height, overscan = 8, keyOf, renderRow, testId, label, focusIndex }: VirtualListProps<T>) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setViewport(el.clientHeight));
    ro.observe(el);
    setViewport(el.clientHeight);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const el = ref.current;
    if (!el || focusIndex === undefined || focusIndex < 0) return;
    const top = focusIndex * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = top + rowHeight - el.clientHeight;
  }, [focusIndex, rowHeight]);

  const onScroll = useCallback(() => setScrollTop(ref.current?.scrollTop ?? 0), []);
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(items.length, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) {
    rows.push(
      <div key={keyOf(items[i])} className="vrow" style={{ top: i * rowHeight, height: rowHeight }}>
        {renderRow(items[i], i)}
      </div>,
    );
  }
  return (
    <div ref={ref} className="vlist" style={{ height }} onScroll={onScroll} data-testid={testId} role="list" aria-label={label} data-rows={items.length}>
      <div style={{ height: items.length * rowHeight, position: 'relative' }}>{rows}</div>
    </div>
  );
}
