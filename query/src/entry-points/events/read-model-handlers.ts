import type { EventListener, Subject } from '@postline/common';
import type { ReadModels } from '../../data-access/read-models';
import { commentHandlers } from './comment-handlers';
import type { ReadModelHandler, ReadModelHandlers } from './handlers';
import { postHandlers } from './post-handlers';
import { userHandlers } from './user-handlers';

/** Every subject of the catalogue, with the handler that applies it to the read models. */
export function readModelHandlers(models: ReadModels): ReadModelHandlers {
  return { ...userHandlers(models), ...postHandlers(models), ...commentHandlers(models) } as ReadModelHandlers;
}

/** The live path: the durable consumers deliver each event to its handler. */
export function registerReadModelListeners(listener: EventListener, handlers: ReadModelHandlers): void {
  for (const [subject, handler] of Object.entries(handlers) as [Subject, ReadModelHandler<Subject>][]) {
    listener.on(subject, (event) => handler(event));
  }
}
