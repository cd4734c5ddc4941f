import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = { title: 'cpm-pf console', description: 'OMA CPM Participating Function: live sessions and decisions' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <div className="shell">
          <nav className="nav" aria-label="Main">
            <div className="brand">cpm-pf</div>
            <a href="/">Overview</a>
            <a href="/decisions">IMDN decisions</a>
          </nav>
          <main>{children}</main>
        </div>
      </body>
    </html>
  );
}
