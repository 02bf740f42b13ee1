package org.postline.localmongo;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.DatabaseResolver;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.backend.aggregation.Aggregation;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;
import de.bwaldvogel.mongo.oplog.Oplog;
import io.netty.channel.Channel;
import java.util.List;
import java.util.Set;

/**
 * The memory backend's database with real secondary indexes ({@link OrderedIndex}), aggregations
 * that start with {@code $match} taking their documents from the indexes (the driver's
 * {@code countDocuments} is one; the library matched every document of the collection), and
 * {@code explain} for find and such aggregations, in MongoDB's shape, so tests can see which index
 * answered and how many documents it read.
 */
final class IndexedMemoryDatabase extends MemoryDatabase {
  IndexedMemoryDatabase(String name, CursorRegistry cursors) {
    super(name, cursors);
  }

  @Override
  protected MemoryCollection openOrCreateCollection(String name, CollectionOptions options) {
    return new IndexedMemoryCollection(this, name, options, cursorRegistry);
  }

  @Override
  protected Index<Integer> openOrCreateSecondaryIndex(
      String collectionName, String indexName, List<IndexKey> keys, boolean sparse) {
    return new OrderedIndex(indexName, keys, sparse);
  }

  @Override
  public Document handleCommand(
      Channel channel, String command, Document query, DatabaseResolver resolver, Oplog oplog) {
    if (command.equalsIgnoreCase("explain")) return explain(channel, query, resolver, oplog);
    if (command.equalsIgnoreCase("aggregate")) {
      Document answer = aggregateFromIndexes(query, resolver, oplog, null);
      if (answer != null) return answer;
    }
    return super.handleCommand(channel, command, query, resolver, oplog);
  }

  private Document explain(Channel channel, Document query, DatabaseResolver resolver, Oplog oplog) {
    if (!(query.get("explain") instanceof Document explained) || explained.isEmpty()) {
      throw new MongoServerError(2, "BadValue", "explain must be an object");
    }
    String command = explained.keySet().iterator().next();
    Document answer;
    if (command.equals("find")) {
      IndexedMemoryCollection collection = collection(explained.get("find"));
      Document filter = (Document) explained.getOrDefault("filter", new Document());
      Document sort = (Document) explained.get("sort");
      int skip = ((Number) explained.getOrDefault("skip", 0)).intValue();
      int limit = Math.abs(((Number) explained.getOrDefault("limit", 0)).intValue());
      Document projection = (Document) explained.get("projection");
      answer =
          collection == null
              ? new Document("queryPlanner", new Document("winningPlan", new Document("stage", "EOF")))
              : collection.explainFind(filter, sort, skip, limit, projection);
    } else if (command.equals("aggregate")) {
      IndexedMemoryCollection.Explanation explanation = new IndexedMemoryCollection.Explanation();
      Document ran = aggregateFromIndexes(explained, resolver, oplog, explanation);
      if (ran == null) throw new MongoServerError(2, "BadValue", "explain: only pipelines that start with $match");
      answer = new Document("stages", List.of(new Document("$cursor", explanation.result)));
    } else {
      throw new MongoServerError(2, "BadValue", "explain: only find and aggregate");
    }
    Utils.markOkay(answer);
    return answer;
  }

  private IndexedMemoryCollection collection(Object name) {
    if (!(name instanceof String collectionName)) return null;
    MongoCollection<Integer> collection = resolveCollection(collectionName, false);
    return collection instanceof IndexedMemoryCollection indexed ? indexed : null;
  }

  /**
   * Runs an aggregation whose first stage is {@code $match} on the documents the indexes give for
   * it; null when the library should run it as shipped (any other pipeline).
   */
  private Document aggregateFromIndexes(
      Document query, DatabaseResolver resolver, Oplog oplog, IndexedMemoryCollection.Explanation explanation) {
    if (!(query.get("pipeline") instanceof List<?> stages) || stages.isEmpty() || query.containsKey("let")) return null;
    if (!(stages.get(0) instanceof Document first) || !first.keySet().equals(Set.of("$match"))) return null;
    if (!(first.get("$match") instanceof Document match)) return null;
    IndexedMemoryCollection collection = collection(query.get("aggregate"));
    if (collection == null) return null;
    Aggregation rest = Aggregation.fromPipeline(stages.subList(1, stages.size()), resolver, this, collection, oplog);
    rest.validate(query);
    IndexedMemoryCollection.Explanation how =
        explanation != null ? explanation : new IndexedMemoryCollection.Explanation();
    List<Document> matched = collection.matching(match, how);
    if (explanation != null) explanation.result = collection.explain(how, match, matched.size());
    Document cursor =
        new Document("id", 0L)
            .append("ns", getFullCollectionNamespace(collection.getCollectionName()))
            .append("firstBatch", rest.runStages(matched.stream()));
    Document answer = new Document("cursor", cursor);
    Utils.markOkay(answer);
    return answer;
  }
}
