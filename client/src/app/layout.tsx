import type { Metadata, Viewport } from 'next';
import Link from 'next/link';
import { SearchBox } from '@/components/SearchBox';
import { SiteNav } from '@/components/SiteNav';
import { feedLinks } from '@/lib/page-metadata';
import { publicOrigin } from '@/lib/public-url';
import { CurrentUserProvider } from '@/lib/current-user';
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

export const viewport: Viewport = { width: 'device-width', initialScale: 1, themeColor: '#1f4fd1' };

/** The same for every reader: who is signed in is asked by the browser (CurrentUserProvider). */
export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        <CurrentUserProvider>
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
        </CurrentUserProvider>
      </body>
    </html>
  );
}
