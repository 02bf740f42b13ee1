import type { Model, mongo } from 'mongoose';

/** A model's collection, typed by its documents (mongoose types it loosely): for common's `applyInOrder`. */
export function collectionOf<T extends mongo.Document>(model: Model<T>): mongo.Collection<T> {
  return model.collection as unknown as mongo.Collection<T>;
}
