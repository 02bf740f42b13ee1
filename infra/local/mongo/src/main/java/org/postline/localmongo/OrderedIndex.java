package org.postline.localmongo;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.backend.ValueComparator;
import de.bwaldvogel.mongo.bson.BinData;
import de.bwaldvogel.mongo.bson.BsonRegularExpression;
import de.bwaldvogel.mongo.bson.BsonTimestamp;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.LegacyUUID;
import de.bwaldvogel.mongo.bson.MaxKey;
import de.bwaldvogel.mongo.bson.MinKey;
import de.bwaldvogel.mongo.bson.ObjectId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * A secondary (non-unique) index kept in key order, as MongoDB keeps its B-tree: one entry per
 * document and key, ordered by the index fields (each in its direction, values compared in BSON
 * order exactly as mongo-java-server sorts them) and then by the document's position, which is
 * the collection's natural order. As shipped, mongo-java-server 1.47 accepts a non-unique index and
 * never builds it ({@code EmptyIndex}), so every filter on such fields scanned the collection.
 *
 * <p>An array value gives one entry per element (multikey, as MongoDB) and marks that field
 * multikey for good; an empty array gives one entry that matches no equality, so every document
 * has at least one entry and a walk of the whole index meets every document. {@link IndexPlanner}
 * decides what the entries may answer. The collection calls every method here under its own lock.
 */
final class OrderedIndex extends Index<Integer> {
  /** Below, or above, every value: the open ends of a key range. */
  enum Bound {
    MIN,
    MAX
  }

  /** Below (start) or above (end) every value of one BSON type: MongoDB's type-bracketed ranges. */
  record TypeBound(int type, boolean end) {}

  /** The key of a field whose value is an empty array (MongoDB indexes it as undefined). */
  private static final Object EMPTY_ARRAY = new Object();

  /** One key of one document. */
  record Entry(Object[] values, int position) {}

  private static final List<Class<?>> TYPE_ORDER =
      List.of(
          Number.class,
          String.class,
          Document.class,
          List.class,
          BinData.class,
          LegacyUUID.class,
          UUID.class,
          ObjectId.class,
          Boolean.class,
          Instant.class,
          BsonTimestamp.class,
          BsonRegularExpression.class);

  private final String[] fields;
  private final boolean[] descending;
  private final boolean[] multikey;
  private final TreeSet<Entry> entries;
  private final Map<Integer, List<Entry>> entriesByPosition = new HashMap<>();
  private final TreeMap<Object, Integer> positionsById = new TreeMap<>(ValueComparator.asc());

  OrderedIndex(String name, List<IndexKey> keys, boolean sparse) {
    // Every document is indexed even when sparse: the planner only takes candidates from it.
    super(name, keys, sparse);
    fields = keys.stream().map(IndexKey::getKey).toArray(String[]::new);
    descending = new boolean[fields.length];
    for (int i = 0; i < fields.length; i++) descending[i] = !keys.get(i).isAscending();
    multikey = new boolean[fields.length];
    entries = new TreeSet<>(this::compareEntries);
  }

  String field(int i) {
    return fields[i];
  }

  int size() {
    return fields.length;
  }

  boolean isDescending(int i) {
    return descending[i];
  }

  boolean isMultikey(int i) {
    return multikey[i];
  }

  boolean isMultikey() {
    for (boolean m : multikey) if (m) return true;
    return false;
  }

  /** The key that sorts before every entry in field {@code i}'s direction. */
  Object lowest(int i) {
    return descending[i] ? Bound.MAX : Bound.MIN;
  }

  /** The key that sorts after every entry in field {@code i}'s direction. */
  Object highest(int i) {
    return descending[i] ? Bound.MIN : Bound.MAX;
  }

  /** The entries from {@code low} to {@code high} (probes of sentinels and values), in index order. */
  NavigableSet<Entry> range(Entry low, Entry high) {
    if (compareEntries(low, high) > 0) return new TreeSet<>();
    return entries.subSet(low, true, high, true);
  }

  /** Compares two keys of one field in ascending BSON order, sentinels included. */
  static int compareValues(Object a, Object b) {
    if (a == b) return 0;
    if (a == Bound.MIN || b == Bound.MAX) return -1;
    if (a == Bound.MAX || b == Bound.MIN) return 1;
    if (a == EMPTY_ARRAY) return -1;
    if (b == EMPTY_ARRAY) return 1;
    if (a instanceof TypeBound ta) return compareTypeBound(ta, b);
    if (b instanceof TypeBound tb) return -compareTypeBound(tb, a);
    return ValueComparator.asc().compare(a, b);
  }

  private static int compareTypeBound(TypeBound bound, Object other) {
    if (other instanceof TypeBound o) {
      int byType = Integer.compare(bound.type(), o.type());
      return byType != 0 ? byType : Boolean.compare(bound.end(), o.end());
    }
    int byType = Integer.compare(bound.type(), typeOrder(other));
    return byType != 0 ? byType : (bound.end() ? 1 : -1);
  }

  /** The BSON type bracket of a value, in mongo-java-server's comparison order. */
  static int typeOrder(Object value) {
    if (value instanceof MinKey) return -2;
    if (Missing.isNullOrMissing(value)) return -1;
    if (value instanceof MaxKey) return TYPE_ORDER.size();
    for (int i = 0; i < TYPE_ORDER.size(); i++) {
      if (TYPE_ORDER.get(i).isInstance(value)) return i;
    }
    return TYPE_ORDER.size(); // a type the library cannot sort either: beyond every bracketed one
  }

  private int compareEntries(Entry a, Entry b) {
    for (int i = 0; i < fields.length; i++) {
      int c = compareValues(a.values()[i], b.values()[i]);
      if (c != 0) return descending[i] ? -c : c;
    }
    return Integer.compare(a.position(), b.position());
  }

  /** This field's entries compare equal in two entries (the planner's sort groups). */
  static boolean sameValue(Entry a, Entry b, int field) {
    return compareValues(a.values()[field], b.values()[field]) == 0;
  }

  private List<Object[]> keysOf(Document document, boolean markMultikey) {
    List<Object[]> keys = new ArrayList<>();
    keys.add(new Object[fields.length]);
    int arrays = 0;
    for (int i = 0; i < fields.length; i++) {
      Object value = Utils.getSubdocumentValueCollectionAware(document, fields[i]);
      List<Object> values = new ArrayList<>();
      if (value instanceof Collection<?> elements) {
        arrays++;
        if (markMultikey) multikey[i] = true;
        for (Object element : elements) values.add(copy(element));
        if (values.isEmpty()) values.add(EMPTY_ARRAY);
      } else {
        values.add(copy(value));
      }
      List<Object[]> product = new ArrayList<>();
      for (Object[] key : keys) {
        for (Object v : values) {
          Object[] next = key.clone();
          next[i] = v;
          product.add(next);
        }
      }
      keys = product;
    }
    // MongoDB refuses a document with arrays in two fields of a compound index; so does the
    // library's own check, which throws CannotIndexParallelArraysError.
    if (arrays > 1) getKeyValues(document);
    return keys;
  }

  /** Keys hold their own copies: stored documents are changed in place by updates. */
  private static Object copy(Object value) {
    if (value instanceof Document d) return d.cloneDeeply();
    if (value instanceof Collection<?> c) {
      List<Object> copied = new ArrayList<>();
      for (Object element : c) copied.add(copy(element));
      return copied;
    }
    return value;
  }

  private void put(Document document, int position) {
    put(keysOf(document, true), position);
  }

  private void put(List<Object[]> keys, int position) {
    List<Entry> added = new ArrayList<>();
    for (Object[] key : keys) {
      Entry entry = new Entry(key, position);
      if (entries.add(entry)) added.add(entry);
    }
    entriesByPosition.put(position, added);
  }

  /** Whether {@code keys} give exactly the entries stored for {@code position} (values compared in BSON order). */
  private boolean storedAt(int position, List<Object[]> keys) {
    List<Entry> stored = entriesByPosition.get(position);
    if (stored == null) return false;
    if (keys.size() == 1 && stored.size() == 1) {
      return compareEntries(stored.get(0), new Entry(keys.get(0), position)) == 0;
    }
    // put() keeps one entry per distinct key (an array may repeat an element): compare as sets.
    TreeSet<Entry> wanted = new TreeSet<>(this::compareEntries);
    for (Object[] key : keys) wanted.add(new Entry(key, position));
    return wanted.size() == stored.size() && wanted.containsAll(stored);
  }

  private void removeAt(int position) {
    List<Entry> old = entriesByPosition.remove(position);
    if (old != null) old.forEach(entries::remove);
  }

  @Override
  public Integer getPosition(Document document) {
    return positionsById.get(document.get("_id"));
  }

  @Override
  public void checkAdd(Document document, MongoCollection<Integer> collection) {
    checkParallelArrays(document);
  }

  /** keysOf's one refusal, without building the keys: only a compound index can meet it. */
  private void checkParallelArrays(Document document) {
    if (fields.length > 1) keysOf(document, false);
  }

  @Override
  public void add(Document document, Integer position, MongoCollection<Integer> collection) {
    put(document, position);
    positionsById.put(copy(document.get("_id")), position);
  }

  @Override
  public Integer remove(Document document) {
    Integer position = positionsById.remove(document.get("_id"));
    if (position != null) removeAt(position);
    return position;
  }

  @Override
  public void checkUpdate(Document oldDocument, Document newDocument, MongoCollection<Integer> collection) {
    checkParallelArrays(newDocument);
  }

  @Override
  public void updateInPlace(
      Document oldDocument, Document newDocument, Integer position, MongoCollection<Integer> collection) {
    List<Object[]> keys = keysOf(newDocument, true);
    // Most updates leave this index's fields alone: its entries stay where they are.
    if (storedAt(position, keys)) return;
    removeAt(position);
    put(keys, position);
  }

  /** The planner reads entries itself; the library's own planner never picks this index. */
  @Override
  public boolean canHandle(Document query) {
    return false;
  }

  @Override
  public Iterable<Integer> getPositions(Document query) {
    throw new UnsupportedOperationException("planned by IndexPlanner");
  }

  @Override
  public long getCount() {
    return entries.size();
  }

  @Override
  public boolean isEmpty() {
    return entriesByPosition.isEmpty();
  }

  @Override
  public long getDataSize() {
    return entries.size();
  }

  @Override
  public void drop() {
    entries.clear();
    entriesByPosition.clear();
    positionsById.clear();
  }

  /** The key pattern, as explain shows it. */
  Document keyPattern() {
    Document pattern = new Document();
    for (int i = 0; i < fields.length; i++) pattern.put(fields[i], descending[i] ? -1 : 1);
    return pattern;
  }
}
