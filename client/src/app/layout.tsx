import type { Metadata, Viewport } from 'next';
import Link from 'next/link';
import { SearchBox } from '@/components/SearchBox';
import { SignOutButton } from '@/components/SignOutButton';
import { feedLinks } from '@/lib/page-metadata';
import { publicOrigin } from '@/lib/public-url';
import { currentUser } from '@/lib/server-api';
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

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const user = await currentUser();
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
            <nav aria-label="Main" className="site-nav">
              <Link href="/" className="nav-link">
                Home
              </Link>
              {user ? (
                <>
                  <Link href="/feed" className="nav-link">
                    Feed
                  </Link>
                  {user.role === 'moderator' ? (
                    <Link href="/moderation" className="nav-link">
                      Moderation
                    </Link>
                  ) : null}
                  <Link href="/drafts" className="nav-link">
                    Drafts
                  </Link>
                  <Link href="/write" className="nav-link nav-cta">
                    Write
                  </Link>
                  <Link href={`/users/${user.username}`} className="nav-link" data-testid="nav-profile">
                    @{user.username}
                  </Link>
                  <SignOutButton />
                </>
              ) : (
                <>
                  <Link href="/signin" className="nav-link">
                    Sign in
                  </Link>
                  <Link href="/signup" className="nav-link nav-cta">
                    Sign up
                  </Link>
                </>
              )}
            </nav>
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
