package org.postline.localmongo;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.MongoCollection;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * mongo-java-server's two backends with our query planning in their collections. The library
 * builds collections in its databases and databases in its backends, so each of the three is
 * subclassed. The memory backend gets real secondary indexes ({@link IndexedMemoryDatabase}); the
 * H2 backend only {@link IndexNarrowing} (its secondary indexes stay the library's empty ones).
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

  static H2Backend h2(MVStore store) {
    return new H2Backend(store) {
      @Override
      protected MongoDatabase openOrCreateDatabase(String databaseName) {
        // getMvStore(), not `store`: H2Backend's constructor opens the file's databases already.
        MVStore mvStore = getMvStore();
        return new H2Database(databaseName, mvStore, getCursorRegistry()) {
          @Override
          protected MongoCollection<Object> openOrCreateCollection(String name, CollectionOptions options) {
            // The map names H2Database itself uses (its constants are not visible here).
            String fullName = getFullCollectionNamespace(name);
            MVMap<Object, Document> data = mvStore.openMap("databases." + fullName);
            MVMap<String, Object> meta = mvStore.openMap("meta." + fullName);
            return new NarrowingH2Collection(this, name, options, data, meta, cursorRegistry);
          }
        };
      }
    };
  }

  private static final class NarrowingH2Collection extends H2Collection {
    NarrowingH2Collection(
        MongoDatabase database,
        String name,
        CollectionOptions options,
        MVMap<Object, Document> data,
        MVMap<String, Object> meta,
        CursorRegistry cursors) {
      super(database, name, options, data, meta, cursors);
    }

    @Override
    protected QueryResult queryDocuments(
        Document query, Document orderBy, int skip, int limit, int batchSize, Document fields) {
      Iterable<Object> candidates = IndexNarrowing.candidates(getIndexes(), query);
      if (candidates == null) return super.queryDocuments(query, orderBy, skip, limit, batchSize, fields);
      return matchDocuments(query, candidates, orderBy, skip, limit, batchSize, fields);
    }
  }
}
