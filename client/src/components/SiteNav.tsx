'use client';

import Link from 'next/link';
import { useCurrentUser } from '@/lib/current-user';
import { SignOutButton } from './SignOutButton';

/** The header's links: the reader's own once the browser knows who reads (nothing of either before). */
export function SiteNav() {
  const user = useCurrentUser();
  return (
    <nav
      aria-label="Main"
      className="site-nav"
      data-reader={user === undefined ? 'unknown' : user ? 'signed-in' : 'anonymous'}
    >
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
      ) : user === null ? (
        <>
          <Link href="/signin" className="nav-link">
            Sign in
          </Link>
          <Link href="/signup" className="nav-link nav-cta">
            Sign up
          </Link>
        </>
      ) : null}
    </nav>
  );
}
