import { EventFactory, eventually } from '@postline/common/testing';
import { readModelShape } from '../data-access/read-models';
import { connectBus, openDatabase, startQuery } from '../testing/start-query';
import { replayMarkerCollection } from './replay-lease';

/** Read models of an older shape (before the maintained counts) are dropped and replayed at start. */
it('replays read models of an older shape into the current one at start', async () => {
  const query = await startQuery();
  const bus = await connectBus(query.namespace);
  const events = new EventFactory(bus);
  const author = events.userCreated();
  const post = events.postCreated(author.data, { tags: ['shape'] });
  const comment = events.commentCreated(post.data.id, author.data);
  await events.publish(author, post, comment, events.moderated(comment.data, 0, 'approved'));
  await eventually(async () => (await query.models.posts.findOne({ _id: post.data.id }))?.commentCount === 1);
  await query.stop();

  // What a replica of the previous shape left: no counts, a marker without a shape.
  const { db, close } = await openDatabase(query.config.mongoUrl);
  await db
    .collection<{ _id: string }>('posts')
    .updateOne({ _id: post.data.id }, { $unset: { commentCount: '', approvedComments: '' } });
  await db.collection('list_counts').drop();
  await db.collection<{ _id: string }>(replayMarkerCollection).updateOne({ _id: 'replay' }, { $unset: { shape: '' } });
  await close();

  await query.restart();
  try {
    expect(await query.models.posts.findOne({ _id: post.data.id })).toMatchObject({ commentCount: 1 });
    expect((await query.http.get('/api/query/tags').expect(200)).body.tags).toEqual([{ tag: 'shape', count: 1 }]);
    expect(await query.models.posts.db.collection(replayMarkerCollection).findOne({})).toMatchObject({
      status: 'complete',
      shape: readModelShape,
    });
  } finally {
    await query.stop();
    await bus.close();
  }
});
