'use client';
// Loads a JSON API resource, optionally polling; keeps the last good value while a refresh fails
// so a page shows its data and the error side by side instead of going blank.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from './api';

export interface JsonState<T> {
  data: T | null;
  error: string | null;
  status: number | null;
  loading: boolean;
  reload: () => void;
}

export function useJson<T>(path: string | null, opts: { pollMs?: number } = {}): JsonState<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<number | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const current = useRef(path);
  current.current = path;

  useEffect(() => {
    if (!path) return;
    let alive = true;
    const load = async () => {
      const r = await api<T>('GET', path);
      if (!alive || current.current !== path) return;
      setLoading(false);
      if (r.ok) {
        setData(r.data);
        setError(null);
        setStatus(200);
      } else {
        setError(r.error);
        setStatus(r.status);
      }
    };
    void load();
    const t = opts.pollMs ? setInterval(load, opts.pollMs) : undefined;
    return () => {
      alive = false;
      if (t) clearInterval(t);
    };
  }, [path, tick, opts.pollMs]);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, status, loading, reload };
}
