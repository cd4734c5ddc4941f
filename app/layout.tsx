import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { Nav } from './_components/nav';
import './globals.css';

// Static assets live in public/ (served by Next at the root, reachable signed out: security/gate.ts).
export const metadata: Metadata = {
  title: 'cpm-pf console',
  description: 'OMA CPM Participating Function: live sessions and decisions',
  icons: { icon: { url: '/icon.svg', type: 'image/svg+xml' } },
};

// Applies the remembered theme before the first paint, so a dark choice never flashes light.
const THEME_BOOT = `try{var t=localStorage.getItem('pf-theme');if(t==='light'||t==='dark')document.documentElement.setAttribute('data-theme',t)}catch(e){}`;

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: THEME_BOOT }} />
      </head>
      <body>
        <a className="skip" href="#main">
          Skip to content
        </a>
        <div className="shell">
          <Nav />
          <main id="main">{children}</main>
        </div>
      </body>
    </html>
  );
}
