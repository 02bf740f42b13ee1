import type { AnyEventEnvelope, EventHandler, EventListener, Subject } from '@postline/common';
import type { LiveDriver } from '../../drivers/live-driver';
import { liveAboutOf } from '../../domain/live-changes';
import type { ChangeNotices } from './change-notices';

/**
 * The live path: query receives every subject of the catalogue from its durable consumers and
 * hands each event to the live driver; what it changed (the labels, and what it is about for the
 * live streams) is announced before the ack.
 */
export function registerReadModelListeners(listener: EventListener, driver: LiveDriver, notices?: ChangeNotices): void {
  const receive = async (event: AnyEventEnvelope) => {
    const labels = await driver.apply(event);
    notices?.announce(event.subject.slice(0, event.subject.indexOf('.')), labels, liveAboutOf(event, labels));
  };
  const subjects = {
    'user.created': (event) => receive(event),
    'user.updated': (event) => receive(event),
    'user.followed': (event) => receive(event),
    'user.unfollowed': (event) => receive(event),
    'post.created': (event) => receive(event),
    'post.updated': (event) => receive(event),
    'post.liked': (event) => receive(event),
    'post.unliked': (event) => receive(event),
    'post.deleted': (event) => receive(event),
    'comment.created': (event) => receive(event),
    'comment.updated': (event) => receive(event),
    'comment.deleted': (event) => receive(event),
    'comment.moderated': (event) => receive(event),
    // An ended session is no read-model fact: every service holds those itself (common/src/auth).
  } satisfies Record<Exclude<AnyEventEnvelope['subject'], 'session.ended'>, (event: AnyEventEnvelope) => Promise<void>>;
  for (const [subject, handler] of Object.entries(subjects))
    listener.on(subject as Subject, handler as EventHandler<Subject>);
}
