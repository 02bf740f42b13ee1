/**
 * The rules the services enforce and the client mirrors: who may change a post or a comment, what a
 * username and a tag may be. Plain functions without imports beyond this folder (types aside), so the
 * Next.js client takes them (`@postline/common/rules`) without any of the server runtime.
 */
export * from './permissions';
export * from './tags';
export * from './usernames';
