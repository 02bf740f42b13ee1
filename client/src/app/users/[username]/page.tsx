import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { isUsername, normaliseUsername } from '@postline/common/rules';
import { Avatar } from '@/components/Avatar';
import { FeedLink } from '@/components/FeedLink';
import { FollowButton } from '@/components/FollowButton';
import { PostList } from '@/components/PostList';
import { ProfileEditor } from '@/components/ProfileEditor';
import { plural, pageNumber } from '@/lib/format';
import { feedLinks } from '@/lib/page-metadata';
import { publicUrl } from '@/lib/public-url';
import { decodedParam } from '@/lib/route-responses';
import { currentUser, serverGetOrNull } from '@/lib/server-api';
import { siteName, sitePaths } from '@/lib/site-paths';
import type { UserPostsPage } from '@/lib/types';

type Params = Promise<{ username: string }>;

async function usernameOf(params: Params): Promise<string> {
  return normaliseUsername(decodedParam((await params).username));
}

export async function generateMetadata({
  params,
  searchParams,
}: {
  params: Params;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}): Promise<Metadata> {
  const username = await usernameOf(params);
  const page = pageNumber((await searchParams).page);
  return {
    title: `${username}${page > 1 ? ` (page ${page})` : ''}`,
    description: `Posts by ${username} on ${siteName}.`,
    alternates: {
      canonical: publicUrl(sitePaths.author(username, page)),
      types: feedLinks({ title: `${username} on ${siteName}`, path: sitePaths.authorFeed(username) }),
    },
  };
}

/** A profile: bio, counts, follow/unfollow (or editing one's own), and the author's posts. */
export default async function ProfilePage({
  params,
  searchParams,
}: {
  params: Params;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const username = await usernameOf(params);
  if (!isUsername(username)) notFound();
  const page = pageNumber((await searchParams).page);
  const [profile, user] = await Promise.all([
    serverGetOrNull<UserPostsPage>(
      'query',
      `/api/query/users/${encodeURIComponent(username)}/posts?page=${page}&limit=10`,
    ),
    currentUser(),
  ]);
  if (!profile) notFound();
  const own = user?.id === profile.user.id;

  return (
    <div className="profile">
      <section className="card profile-card" aria-labelledby="profile-heading">
        <Avatar username={profile.user.username} image={profile.user.image} size="lg" />
        <div className="profile-main">
          <h1 id="profile-heading">{profile.user.username}</h1>
          {profile.user.bio ? (
            <p className="profile-bio">{profile.user.bio}</p>
          ) : (
            <p className="muted">{own ? 'Tell readers about yourself.' : 'No bio yet.'}</p>
          )}
          <p className="muted archive-meta">
            <span>
              {plural(profile.total, 'post')} · following {profile.user.followingCount}
            </span>
            <FeedLink
              href={sitePaths.authorFeed(profile.user.username)}
              label={`Subscribe to ${profile.user.username} via RSS`}
            />
          </p>
        </div>
        <div className="profile-side">
          {own ? (
            <>
              <p className="profile-counts">
                <strong data-testid="follower-count">{profile.user.followerCount}</strong>{' '}
                {profile.user.followerCount === 1 ? 'follower' : 'followers'}
              </p>
              <ProfileEditor bio={profile.user.bio} image={profile.user.image} />
            </>
          ) : (
            <FollowButton
              username={profile.user.username}
              followedByMe={profile.user.followedByMe}
              followerCount={profile.user.followerCount}
              signedIn={!!user}
            />
          )}
        </div>
      </section>
      <h2 className="section-title">Posts</h2>
      <PostList
        page={profile}
        hrefFor={(n) => sitePaths.author(profile.user.username, n)}
        empty={<p>No posts yet.</p>}
      />
    </div>
  );
}
