import type { EventData } from '@postline/common';
import type { User } from '../data-access/user-model';

/** The public face of a user that `user.created` and `user.updated` carry (no email, no hash). */
export function userProfileData(
  user: Pick<User, '_id' | 'username' | 'role' | 'bio' | 'image'>,
): EventData<'user.created'> {
  return { id: user._id, username: user.username, role: user.role, bio: user.bio, image: user.image };
}
