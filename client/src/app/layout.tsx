import type { Metadata, Viewport } from 'next';
import Link from 'next/link';
import { SearchBox } from '@/components/SearchBox';
import { SiteNav } from '@/components/SiteNav';
import { feedLinks } from '@/lib/page-metadata';
import { publicOrigin } from '@/lib/public-url';
import { siteDescription, siteName } from '@/lib/site-paths';
import './globals.css';

/** Per request: the public origin (PUBLIC_URL) makes every page's absolute URLs; every page links the blog's feed. */
export function generateMetadata(): Metadata {
  return {
    metadataBase: new URL(publicOrigin()),
    title: { default: siteName, template: `%s · ${siteName}` },
    description: siteDescription,
    alternates: { types: feedLinks() },
  };
}

/**
 * Next.js renders every page when asked and keeps none itself: the cached pages are kept by the
 * page cache in front of it (server/, README "Pages from the cache"), and a page rendered per
 * request needs its fresh nonce (the not-found page would otherwise be built once, nonce-less).
 */
export const dynamic = 'force-dynamic';

export const viewport: Viewport = { width: 'device-width', initialScale: 1, themeColor: '#1f4fd1' };

/** The same for every reader: who is signed in is asked by the browser (src/lib/current-user.ts). */
export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <header className="site-header">
          <div className="container site-header-inner">
            <Link href="/" className="brand">
              <span className="brand-mark" aria-hidden="true">
                P
              </span>
              Postline
            </Link>
            <SearchBox />
            <SiteNav />
          </div>
        </header>
        <main id="main" className="container main">
          {children}
        </main>
        <footer className="site-footer">
          <div className="container">Postline · write, read and discuss</div>
        </footer>
      </body>
    </html>
  );
}
