package org.postline.localmongo;

import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;

/**
 * mongo-java-server's memory backend with our query planning in its collections: real secondary
 * indexes and narrowing by a unique index ({@link IndexedMemoryDatabase}). The library builds
 * collections in its databases and databases in its backends, so the backend is subclassed to
 * build ours. (The H2 file backend it also ships is no longer used: see README.md.)
 */
final class NarrowingBackends {
  private NarrowingBackends() {}

  static MemoryBackend memory() {
    return new MemoryBackend() {
      @Override
      public MemoryDatabase openOrCreateDatabase(String databaseName) {
        return new IndexedMemoryDatabase(databaseName, getCursorRegistry());
      }
    };
  }
}
