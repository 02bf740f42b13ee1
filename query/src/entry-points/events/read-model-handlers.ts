import type { AnyEventEnvelope, EventListener, Subject } from '@postline/common';
import type { ReadModels } from '../../data-access/read-models';
import { liveAboutOf } from '../../domain/live-changes';
import type { ChangeNotices } from './change-notices';
import { commentHandlers } from './comment-handlers';
import type { ReadModelHandler, ReadModelHandlers } from './handlers';
import { postHandlers } from './post-handlers';
import { userHandlers } from './user-handlers';

/** Every subject of the catalogue, with the handler that applies it to the read models. */
export function readModelHandlers(models: ReadModels): ReadModelHandlers {
  return { ...userHandlers(models), ...postHandlers(models), ...commentHandlers(models) } as ReadModelHandlers;
}

/**
 * The live path: the durable consumers deliver each event to its handler; what it changed (the
 * labels, and what it is about for the live streams) is announced before the ack.
 */
export function registerReadModelListeners(
  listener: EventListener,
  handlers: ReadModelHandlers,
  notices?: ChangeNotices,
): void {
  for (const [subject, handler] of Object.entries(handlers) as [Subject, ReadModelHandler<Subject>][]) {
    const family = subject.slice(0, subject.indexOf('.'));
    listener.on(subject, async (event) => {
      const labels = await handler(event);
      notices?.announce(family, labels, liveAboutOf(event as AnyEventEnvelope, labels));
    });
  }
}
