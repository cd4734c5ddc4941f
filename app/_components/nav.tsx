'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { OperatorBadge } from './operator-badge';
import { ThemeToggle } from './theme-toggle';

const LINKS = [
  { href: '/', label: 'Overview' },
  { href: '/decisions', label: 'IMDN decisions' },
  { href: '/sessions', label: 'Sessions' },
  { href: '/users', label: 'Users' },
  { href: '/store', label: 'Message store' },
  { href: '/policy', label: 'Provider policy' },
  { href: '/topology', label: 'Topology' },
  { href: '/demo', label: 'Demo flows' },
];

export function Nav() {
  const path = usePathname() ?? '/';
  // the sign-in page stands alone
  if (path === '/login' || path.startsWith('/login/')) return null;
  const active = (href: string) => (href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`));
  return (
    <nav className="nav" aria-label="Main">
      <div className="brand">
        <span className="logo" aria-hidden="true">◆</span> cpm-pf
        <div className="brand-sub">Participating Function</div>
      </div>
      <ul>
        {LINKS.map((l) => (
          <li key={l.href}>
            <Link href={l.href} aria-current={active(l.href) ? 'page' : undefined} className={active(l.href) ? 'active' : undefined}>
              {l.label}
            </Link>
          </li>
        ))}
      </ul>
      <div className="nav-foot">
        <OperatorBadge />
        <ThemeToggle />
      </div>
    </nav>
  );
}
