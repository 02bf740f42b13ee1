package org.postline.localmongo;

import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.bson.Decimal128;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * Answers a filter (and a sort) from an {@link OrderedIndex}, the way MongoDB's planner does for
 * the shapes Postline uses: equality and {@code $in} on a prefix of the index's fields, then one
 * range ({@code $gt/$gte/$lt/$lte}, bracketed by BSON type as MongoDB does), and a sort on the
 * fields that follow the equalities read in index order, forwards or backwards, stopping once
 * skip + limit documents matched.
 *
 * <p>The index only chooses candidates: every candidate is then matched against the whole filter
 * by the library, so an index gives a superset of the answer and never decides it. The order is
 * the scan's exactly: documents whose sort keys the index orders are taken group by group (a group:
 * equal keys in the fields the index orders), each group sorted by the whole sort and then by
 * natural order, which is what the scan's stable sort over natural order gives; candidates the
 * index does not order are put back in natural order before the library sorts them. Where the
 * index cannot promise that (a sort on an array field, {@code null} or a range on one, a value
 * that is not a plain scalar), that field gives no bounds, and a filter no index bounds falls
 * back to the scan.
 */
final class IndexPlanner {
  private IndexPlanner() {}

  /** Above this many key ranges ({@code $in} values multiplied) the planner gives up. */
  private static final int MAX_RANGES = 1_000;

  /** What a collection lends the planner: its documents by position and its matcher. */
  interface Documents {
    Document at(int position);

    boolean matches(Document document, Document query);
  }

  /** One field's bounds: equal to one of {@code points}, or within a range. */
  private record FieldBounds(List<Object> points, Object low, boolean lowInclusive, Object high, boolean highInclusive) {
    static FieldBounds points(List<Object> values) {
      return new FieldBounds(values, null, false, null, false);
    }

    boolean isRange() {
      return points == null;
    }
  }

  /** A chosen index and how to read it. */
  static final class Plan {
    final OrderedIndex index;
    final List<FieldBounds> bounds;
    /** How many sort fields, from the first, the index reads in order. */
    final int sortedFields;
    final boolean backward;

    private Plan(OrderedIndex index, List<FieldBounds> bounds, int sortedFields, boolean backward) {
      this.index = index;
      this.bounds = bounds;
      this.sortedFields = sortedFields;
      this.backward = backward;
    }

    private int score() {
      return bounds.size() * 100 + sortedFields;
    }
  }

  /** What a query did, for explain: keys and documents examined. */
  static final class Stats {
    long keysExamined;
    long docsExamined;
  }

  /** Plans are compared by the keys they would read, counted up to this many. */
  private static final int ESTIMATE_CAP = 1_000;

  /**
   * The best index plan for a filter and sort, or null when no ordered index helps: the one that
   * reads the fewest keys. MongoDB races its candidate plans for this; here an unsorted plan
   * counts the keys in its ranges, and a plan that reads the sort in order with a limit
   * ({@code wanted}: skip + limit) is tried until it matched that many or read more keys than the
   * best plan so far holds (a slug's one key beats a million published posts; a page of two
   * authors' posts read through their {@code $in} beats walking every post newest first). Ties go
   * to the plan that bounds more fields, then orders more sort fields.
   */
  static Plan plan(List<Index<Integer>> indexes, Document query, Document orderBy, int wanted, Documents documents) {
    List<Plan> plans = new ArrayList<>();
    for (Index<Integer> candidate : indexes) {
      if (candidate instanceof OrderedIndex index) {
        Plan plan = planFor(index, query, orderBy);
        if (plan != null) plans.add(plan);
      }
    }
    if (plans.size() <= 1) return plans.isEmpty() ? null : plans.get(0);
    long[] reads = new long[plans.size()];
    long budget = ESTIMATE_CAP;
    for (int i = 0; i < plans.size(); i++) {
      if (plans.get(i).sortedFields > 0 && wanted > 0) continue;
      reads[i] = keysWithin(plans.get(i), ESTIMATE_CAP);
      budget = Math.min(budget, reads[i]);
    }
    // Likeliest first, so each trial's reads bound the next ones'.
    List<Integer> sorted = new ArrayList<>();
    for (int i = 0; i < plans.size(); i++) if (plans.get(i).sortedFields > 0 && wanted > 0) sorted.add(i);
    sorted.sort(Comparator.comparingInt((Integer i) -> plans.get(i).score()).reversed());
    for (int i : sorted) {
      reads[i] = trial(plans.get(i), query, wanted, budget, documents);
      budget = Math.min(budget, reads[i]);
    }
    Plan best = null;
    long bestReads = Long.MAX_VALUE;
    for (int i = 0; i < plans.size(); i++) {
      Plan plan = plans.get(i);
      if (best == null || reads[i] < bestReads || (reads[i] == bestReads && plan.score() > best.score())) {
        best = plan;
        bestReads = reads[i];
      }
    }
    return best;
  }

  /** How many keys the plan's ranges hold, counted up to {@code cap}. */
  private static long keysWithin(Plan plan, long cap) {
    long keys = 0;
    for (OrderedIndex.Entry[] range : ranges(plan)) {
      for (Iterator<OrderedIndex.Entry> it = plan.index.range(range[0], range[1]).iterator(); it.hasNext(); it.next()) {
        if (++keys >= cap) return cap;
      }
    }
    return keys;
  }

  /** Keys a sorted plan reads until {@code wanted} documents matched; past {@code budget}, budget + 1. */
  private static long trial(Plan plan, Document query, int wanted, long budget, Documents documents) {
    OrderedIndex.Entry[] range = ranges(plan).get(0);
    NavigableSet<OrderedIndex.Entry> entries = plan.index.range(range[0], range[1]);
    Iterator<OrderedIndex.Entry> it = plan.backward ? entries.descendingIterator() : entries.iterator();
    long keys = 0;
    int matched = 0;
    while (it.hasNext() && matched < wanted) {
      if (++keys > budget) return budget + 1;
      if (documents.matches(documents.at(it.next().position()), query)) matched++;
    }
    return keys;
  }

  private static Plan planFor(OrderedIndex index, Document query, Document orderBy) {
    List<FieldBounds> bounds = new ArrayList<>();
    int ranges = 1;
    for (int i = 0; i < index.size(); i++) {
      if (!query.containsKey(index.field(i))) break;
      FieldBounds field = boundsOf(query.get(index.field(i)), index.isMultikey(i));
      if (field == null) break;
      if (!field.isRange()) {
        ranges *= field.points().size();
        if (ranges > MAX_RANGES) break;
      }
      bounds.add(field);
      if (field.isRange()) break;
    }

    // The sort the index gives: after single-valued equalities, the next fields in order (a range
    // may bound the first of them), all in the index's direction or all against it.
    int sortedFields = 0;
    boolean backward = false;
    int equalities = 0;
    while (equalities < bounds.size()
        && !bounds.get(equalities).isRange()
        && bounds.get(equalities).points().size() == 1) equalities++;
    boolean onePoint = equalities == bounds.size() || (equalities == bounds.size() - 1 && bounds.get(equalities).isRange());
    if (orderBy != null && onePoint) {
      int j = 0;
      for (Map.Entry<String, Object> sort : orderBy.entrySet()) {
        int i = equalities + j;
        if (i >= index.size() || !sort.getKey().equals(index.field(i)) || index.isMultikey(i)) break;
        if (!(sort.getValue() instanceof Number direction)) break;
        boolean against = (direction.intValue() < 0) != index.isDescending(i);
        if (j == 0) backward = against;
        else if (against != backward) break;
        j++;
      }
      sortedFields = j;
    }
    if (bounds.isEmpty() && sortedFields == 0) return null;
    return new Plan(index, bounds, sortedFields, backward);
  }

  /** The bounds a field's condition gives, or null when it gives none the index can use. */
  private static FieldBounds boundsOf(Object condition, boolean multikey) {
    if (!(condition instanceof Document operators) || !isOperatorDocument(operators)) {
      return isPoint(condition, multikey) ? FieldBounds.points(Collections.singletonList(condition)) : null;
    }
    if (operators.containsKey("$eq")) {
      Object value = operators.get("$eq");
      return isPoint(value, multikey) ? FieldBounds.points(Collections.singletonList(value)) : null;
    }
    if (operators.get("$in") instanceof Collection<?> values) {
      TreeSet<Object> points = new TreeSet<>(OrderedIndex::compareValues);
      for (Object value : values) {
        if (!isPoint(value, multikey)) return null;
        points.add(value);
      }
      return FieldBounds.points(new ArrayList<>(points));
    }
    // On an array field, {$gt: a, $lt: b} matches a document whose elements meet each bound
    // apart: the two bounds do not make one range (MongoDB does not intersect them either).
    if (multikey) return null;
    Integer type = null;
    Object low = null, high = null;
    boolean lowInclusive = true, highInclusive = true;
    for (Map.Entry<String, Object> operator : operators.entrySet()) {
      String name = operator.getKey();
      boolean lower = name.equals("$gt") || name.equals("$gte");
      boolean upper = name.equals("$lt") || name.equals("$lte");
      Object value = operator.getValue();
      if ((!lower && !upper) || !isBracketed(value)) continue;
      int valueType = OrderedIndex.typeOrder(value);
      if (type != null && type != valueType) continue; // matches nothing; the first bound stays a superset
      type = valueType;
      boolean inclusive = name.endsWith("e");
      if (lower && (low == null || OrderedIndex.compareValues(value, low) > 0)) {
        low = value;
        lowInclusive = inclusive;
      } else if (upper && (high == null || OrderedIndex.compareValues(value, high) < 0)) {
        high = value;
        highInclusive = inclusive;
      }
    }
    if (type == null) return null;
    // Ranges compare within one BSON type (MongoDB's type bracketing): {$lte: date} is dates only.
    if (low == null) low = new OrderedIndex.TypeBound(type, false);
    if (high == null) high = new OrderedIndex.TypeBound(type, true);
    return new FieldBounds(null, low, lowInclusive, high, highInclusive);
  }

  private static boolean isOperatorDocument(Document document) {
    return !document.isEmpty() && document.keySet().iterator().next().startsWith("$");
  }

  /**
   * A value whose equality the index answers: the entries equal to it hold every document that
   * matches. {@code null} also matches a missing field, which the index keys equal to null, but on
   * an array field it matches more (arrays holding null, elements lacking the path): no bounds.
   */
  private static boolean isPoint(Object value, boolean multikey) {
    if (Missing.isNullOrMissing(value)) return !multikey;
    return isBracketed(value) || value instanceof Boolean;
  }

  private static boolean isBracketed(Object value) {
    if (value instanceof Double d) return !d.isNaN();
    if (value instanceof Decimal128) return false;
    return value instanceof Number
        || value instanceof String
        || value instanceof ObjectId
        || value instanceof Instant
        || value instanceof Boolean;
  }

  /**
   * The documents the plan reads, in the order the query answers them: sorted (as far as the
   * index orders them, groups sorted by {@code sort}), and stopped once {@code wanted} matched
   * (0: all); or, when the index does not order them, every candidate in natural order.
   */
  static List<Document> read(Plan plan, Document query, Comparator<Document> sort, int wanted, Documents documents, Stats stats) {
    List<OrderedIndex.Entry[]> ranges = ranges(plan);
    if (plan.sortedFields == 0) {
      TreeSet<Integer> positions = new TreeSet<>();
      for (OrderedIndex.Entry[] range : ranges) {
        for (OrderedIndex.Entry entry : plan.index.range(range[0], range[1])) {
          stats.keysExamined++;
          positions.add(entry.position());
        }
      }
      List<Document> candidates = new ArrayList<>(positions.size());
      for (int position : positions) candidates.add(documents.at(position));
      stats.docsExamined += candidates.size();
      return candidates;
    }

    NavigableSet<OrderedIndex.Entry> range = plan.index.range(ranges.get(0)[0], ranges.get(0)[1]);
    Iterator<OrderedIndex.Entry> entries = plan.backward ? range.descendingIterator() : range.iterator();
    int first = plan.bounds.size() - (plan.bounds.isEmpty() || !plan.bounds.get(plan.bounds.size() - 1).isRange() ? 0 : 1);
    List<Document> answer = new ArrayList<>();
    List<Positioned> group = new ArrayList<>();
    Set<Integer> seen = new HashSet<>();
    OrderedIndex.Entry groupKey = null;
    while (entries.hasNext()) {
      OrderedIndex.Entry entry = entries.next();
      stats.keysExamined++;
      if (groupKey != null && !sameGroup(groupKey, entry, first, plan.sortedFields)) {
        flush(group, sort, answer);
        if (wanted > 0 && answer.size() >= wanted) return answer;
      }
      groupKey = entry;
      if (!seen.add(entry.position())) continue;
      Document document = documents.at(entry.position());
      stats.docsExamined++;
      if (documents.matches(document, query)) group.add(new Positioned(entry.position(), document));
    }
    flush(group, sort, answer);
    return answer;
  }

  private record Positioned(int position, Document document) {}

  private static boolean sameGroup(OrderedIndex.Entry a, OrderedIndex.Entry b, int first, int count) {
    for (int i = first; i < first + count; i++) {
      if (!OrderedIndex.sameValue(a, b, i)) return false;
    }
    return true;
  }

  private static void flush(List<Positioned> group, Comparator<Document> sort, List<Document> answer) {
    Comparator<Positioned> order = Comparator.comparing(Positioned::document, sort);
    group.sort(order.thenComparingInt(Positioned::position));
    for (Positioned p : group) answer.add(p.document());
    group.clear();
  }

  /** The key ranges the bounds make, as (low, high) probes in index order. */
  private static List<OrderedIndex.Entry[]> ranges(Plan plan) {
    OrderedIndex index = plan.index;
    List<Object[]> prefixes = new ArrayList<>();
    prefixes.add(new Object[index.size()]);
    int pointFields = 0;
    for (FieldBounds field : plan.bounds) {
      if (field.isRange()) break;
      List<Object[]> next = new ArrayList<>();
      for (Object[] prefix : prefixes) {
        for (Object point : field.points()) {
          Object[] key = prefix.clone();
          key[pointFields] = point;
          next.add(key);
        }
      }
      prefixes = next;
      pointFields++;
    }
    FieldBounds range = pointFields < plan.bounds.size() ? plan.bounds.get(pointFields) : null;
    List<OrderedIndex.Entry[]> ranges = new ArrayList<>();
    for (Object[] prefix : prefixes) {
      Object[] low = prefix.clone();
      Object[] high = prefix.clone();
      int rest = pointFields;
      boolean lowAbove = false, highBelow = false;
      if (range != null) {
        boolean descending = index.isDescending(pointFields);
        // In index order a descending field's high values come first.
        low[pointFields] = descending ? range.high() : range.low();
        high[pointFields] = descending ? range.low() : range.high();
        lowAbove = !(descending ? range.highInclusive() : range.lowInclusive());
        highBelow = !(descending ? range.lowInclusive() : range.highInclusive());
        rest++;
      }
      for (int i = rest; i < index.size(); i++) {
        low[i] = lowAbove ? index.highest(i) : index.lowest(i);
        high[i] = highBelow ? index.lowest(i) : index.highest(i);
      }
      ranges.add(
          new OrderedIndex.Entry[] {
            new OrderedIndex.Entry(low, lowAbove ? Integer.MAX_VALUE : Integer.MIN_VALUE),
            new OrderedIndex.Entry(high, highBelow ? Integer.MIN_VALUE : Integer.MAX_VALUE)
          });
    }
    return ranges;
  }

  /** How explain shows the plan (MongoDB's shape: FETCH over IXSCAN, SORT when the index does not order). */
  static Document describe(Plan plan, Document orderBy) {
    OrderedIndex index = plan.index;
    Document scan =
        new Document("stage", "IXSCAN")
            .append("keyPattern", index.keyPattern())
            .append("indexName", index.getName())
            .append("isMultiKey", index.isMultikey())
            .append("direction", plan.backward ? "backward" : "forward")
            .append("boundedFields", plan.bounds.size());
    Document fetch = new Document("stage", "FETCH").append("inputStage", scan);
    boolean sortedByIndex = orderBy == null || orderBy.isEmpty() || plan.sortedFields == orderBy.size();
    if (sortedByIndex) return fetch;
    return new Document("stage", "SORT").append("sortPattern", orderBy).append("inputStage", fetch);
  }
}
