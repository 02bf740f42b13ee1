package org.postline.localmongo;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.DocumentComparator;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.bson.Document;
import java.util.ArrayList;
import java.util.List;

/**
 * The memory backend's collection, answering filters and sorts from its indexes: a unique index
 * as the library does (or {@link IndexNarrowing} when it covers part of the filter), else the best
 * {@link OrderedIndex} ({@link IndexPlanner}), else a scan as shipped. Every path ends in the
 * library's own matcher, sort, skip, limit and projection, so the answer is the scan's.
 */
final class IndexedMemoryCollection extends MemoryCollection implements IndexPlanner.Documents {
  IndexedMemoryCollection(MongoDatabase database, String name, CollectionOptions options, CursorRegistry cursors) {
    super(database, name, options, cursors);
  }

  /** How a query was answered, for explain. */
  static final class Explanation {
    Document winningPlan;
    /** The whole explain answer, once run. */
    Document result;
    final IndexPlanner.Stats stats = new IndexPlanner.Stats();
  }

  @Override
  protected QueryResult queryDocuments(
      Document query, Document orderBy, int skip, int limit, int batchSize, Document fields) {
    return query(query, orderBy, skip, limit, batchSize, fields, new Explanation());
  }

  @Override
  public Document at(int position) {
    return getDocument(position);
  }

  @Override
  public boolean matches(Document document, Document query) {
    return documentMatchesQuery(document, query);
  }

  /** The documents matching a filter, in natural order ({@code $match} at the head of a pipeline). */
  synchronized List<Document> matching(Document query, Explanation explanation) {
    List<Document> answer = new ArrayList<>();
    for (Document document : query(query, null, 0, 0, 0, null, explanation)) answer.add(document);
    return answer;
  }

  /** Runs a find and says how: MongoDB's explain shape (queryPlanner and executionStats). */
  synchronized Document explainFind(Document query, Document orderBy, int skip, int limit, Document fields) {
    Explanation explanation = new Explanation();
    int returned = 0;
    for (Document ignored : query(query, orderBy, skip, limit, 0, fields, explanation)) returned++;
    return explain(explanation, query, returned);
  }

  Document explain(Explanation explanation, Document query, int returned) {
    Document planner =
        new Document("plannerVersion", 1)
            .append("namespace", getFullName())
            .append("parsedQuery", query)
            .append("winningPlan", explanation.winningPlan)
            .append("rejectedPlans", List.of());
    Document execution =
        new Document("executionSuccess", true)
            .append("nReturned", returned)
            .append("totalKeysExamined", explanation.stats.keysExamined)
            .append("totalDocsExamined", explanation.stats.docsExamined);
    return new Document("queryPlanner", planner).append("executionStats", execution);
  }

  private QueryResult query(
      Document query, Document orderBy, int skip, int limit, int batchSize, Document fields, Explanation explanation) {
    List<Index<Integer>> indexes = getIndexes();
    boolean natural = orderBy != null && orderBy.containsKey("$natural");
    if (!natural) {
      for (Index<Integer> index : indexes) {
        if (index.canHandle(query)) {
          List<Integer> positions = new ArrayList<>();
          index.getPositions(query).forEach(positions::add);
          explained(explanation, index.getName(), positions.size());
          return matchDocuments(query, positions, orderBy, skip, limit, batchSize, fields);
        }
      }
      Index<Integer> narrowing = IndexNarrowing.indexFor(indexes, query);
      if (narrowing != null) {
        List<Integer> positions = new ArrayList<>();
        IndexNarrowing.candidates(narrowing, query).forEach(positions::add);
        explained(explanation, narrowing.getName(), positions.size());
        return matchDocuments(query, positions, orderBy, skip, limit, batchSize, fields);
      }
      int wanted = limit > 0 ? skip + limit : 0;
      IndexPlanner.Plan plan = IndexPlanner.plan(indexes, query, orderBy, wanted, this);
      if (plan != null) {
        explanation.winningPlan = IndexPlanner.describe(plan, orderBy);
        DocumentComparator sort = orderBy == null || orderBy.isEmpty() ? null : new DocumentComparator(orderBy);
        List<Document> read = IndexPlanner.read(plan, query, sort, wanted, this, explanation.stats);
        if (plan.sortedFields > 0) {
          return matchDocumentsFromStream(query, read.stream(), skip, limit, batchSize, null, fields);
        }
        return matchDocumentsFromStream(read.stream(), query, orderBy, skip, limit, batchSize, fields);
      }
    }
    explanation.winningPlan = new Document("stage", "COLLSCAN").append("direction", "forward");
    explanation.stats.docsExamined = count();
    return super.queryDocuments(query, orderBy, skip, limit, batchSize, fields);
  }

  private static void explained(Explanation explanation, String indexName, int candidates) {
    explanation.winningPlan =
        new Document("stage", "FETCH").append("inputStage", new Document("stage", "IXSCAN").append("indexName", indexName));
    explanation.stats.keysExamined = candidates;
    explanation.stats.docsExamined = candidates;
  }
}
