'use client';
// Light, dark, or the system's choice. The choice is applied before first paint by the script in
// the root layout (no flash); this button only cycles and remembers it.
import { useEffect, useState } from 'react';

type Theme = 'system' | 'light' | 'dark';
const NEXT: Record<Theme, Theme> = { system: 'light', light: 'dark', dark: 'system' };
const LABEL: Record<Theme, string> = { system: 'Theme: system', light: 'Theme: light', dark: 'Theme: dark' };
const ICON: Record<Theme, string> = { system: '◐', light: '☀', dark: '☾' };

export const THEME_KEY = 'pf-theme';

export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>('system');
  useEffect(() => {
    const t = localStorage.getItem(THEME_KEY);
    if (t === 'light' || t === 'dark') setTheme(t);
  }, []);
  const cycle = () => {
    const next = NEXT[theme];
    setTheme(next);
    if (next === 'system') {
      localStorage.removeItem(THEME_KEY);
      document.documentElement.removeAttribute('data-theme');
    } else {
      localStorage.setItem(THEME_KEY, next);
      document.documentElement.setAttribute('data-theme', next);
    }
  };
  return (
    <button type="button" className="btn ghost theme-toggle" onClick={cycle} data-testid="theme-toggle" title="Switch between system, light and dark">
      <span aria-hidden="true">{ICON[theme]}</span> {LABEL[theme]}
    </button>
  );
}
