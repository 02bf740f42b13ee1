package org.postline.localmongo;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.AbstractMongoBackend;
import de.bwaldvogel.mongo.backend.Cursor;
import de.bwaldvogel.mongo.backend.aggregation.Aggregation;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.oplog.NoopOplog;
import de.bwaldvogel.mongo.oplog.Oplog;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The memory backend made durable: every write's effect goes to a {@link Journal} before the write
 * is acknowledged, and a start replays the last snapshot and the journal after it, then writes a
 * fresh snapshot (compaction) and starts a new journal.
 *
 * <p>A write's effect is recorded as the state it left, never as the command that made it (a
 * command's outcome can depend on the clock, on generated ids, on what else was stored): the
 * documents it touched as they are stored after it ({@code put}), or their {@code _id} when they
 * are gone ({@code delete}). Which documents a command touched comes from mongo-java-server's own
 * change feed, its oplog interface (inserts, updates, upserts and deletes), which this class
 * receives in place of the shipped no-op. What that feed does not report is taken from the
 * command: a {@code findAndModify} touched the document in its answer; index and collection
 * commands ({@code create}, {@code createIndexes}, {@code drop}, {@code dropIndexes},
 * {@code dropDatabase}, {@code renameCollection}) are deterministic and recorded as sent. When the
 * effect cannot be known precisely (a multi-document update that failed part way, an aggregation's
 * {@code $out}), the whole collection is recorded ({@code collection} followed by its documents),
 * which is also what a snapshot is made of.
 *
 * <p>Files in the data directory: {@code snapshot-N.bson} (complete: written aside, then renamed)
 * and {@code journal-N.bson}; a start replays the highest snapshot and every journal numbered from
 * it up, in order.
 */
final class JournaledStore implements IsolatedBackend.Durability {
  private static final Pattern FILE = Pattern.compile("(snapshot|journal)-(\\d+)\\.bson");
  private static final int SNAPSHOT_BATCH = 1000;

  /** A journal this much larger than the last snapshot (and than the minimum) is compacted. */
  private static final int COMPACT_RATIO = 2;

  private final MongoBackend backend;
  private final Path directory;
  private final long compactMinimumBytes;
  /** The channel replayed commands come from: mongo-java-server keeps per-channel state. */
  private final Channel replayChannel = new EmbeddedChannel();
  private final ThreadLocal<Effects> current = new ThreadLocal<>();
  /** Writes hold it shared from begin() to end(); a compaction holds it alone, so it sees no write half done. */
  private final ReentrantReadWriteLock writes = new ReentrantReadWriteLock();
  private final AtomicBoolean compacting = new AtomicBoolean();
  private volatile Journal journal;
  private long generation;
  private long snapshotGeneration;
  private long snapshotBytes;

  private JournaledStore(MongoBackend backend, Path directory, long compactMinimumBytes) {
    this.backend = backend;
    this.directory = directory;
    this.compactMinimumBytes = compactMinimumBytes;
  }

  /**
   * Restores {@code backend} (empty, not yet serving) from {@code directory}, compacts, and returns
   * the store that journals the backend's writes from now on, compacting again whenever the journal
   * outgrows both {@code compactMinimumBytes} and twice the last snapshot.
   */
  static JournaledStore open(AbstractMongoBackend backend, Path directory, long compactMinimumBytes)
      throws IOException {
    Files.createDirectories(directory);
    // A snapshot a crash left half written.
    try (DirectoryStream<Path> partial = Files.newDirectoryStream(directory, "snapshot-*.bson.tmp")) {
      for (Path file : partial) Files.delete(file);
    }
    JournaledStore store = new JournaledStore(backend, directory, compactMinimumBytes);
    TreeMap<Long, Path> snapshots = files(directory, "snapshot");
    TreeMap<Long, Path> journals = files(directory, "journal");
    long base = snapshots.isEmpty() ? 0 : snapshots.lastKey();
    if (!snapshots.isEmpty()) Journal.read(snapshots.lastEntry().getValue(), store::apply);
    long journaled = 0;
    for (Path file : journals.tailMap(base, true).values()) journaled += Journal.read(file, store::apply);

    store.generation = Math.max(base, journals.isEmpty() ? 0 : journals.lastKey());
    store.snapshotGeneration = base;
    store.snapshotBytes = snapshots.isEmpty() ? 0 : Files.size(snapshots.lastEntry().getValue());
    store.rotate(journaled > 0);
    installOplog(backend, store.new Capture());
    return store;
  }

  private static TreeMap<Long, Path> files(Path directory, String kind) throws IOException {
    TreeMap<Long, Path> found = new TreeMap<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
      for (Path file : files) {
        Matcher name = FILE.matcher(file.getFileName().toString());
        if (name.matches() && name.group(1).equals(kind)) found.put(Long.parseLong(name.group(2)), file);
      }
    }
    return found;
  }

  /**
   * Starts the next journal and, if asked, writes the next snapshot: the state now, which nothing
   * may change meanwhile. Then deletes the files they make redundant. A crash at any point leaves
   * a snapshot and the journals after it, complete.
   */
  private void rotate(boolean snapshot) throws IOException {
    long next = generation + 1;
    Journal previous = journal;
    journal = Journal.create(directory.resolve(fileName("journal", next)), previous == null ? 0 : previous.position());
    if (previous != null) previous.close();
    if (snapshot) {
      snapshotBytes = writeSnapshot(directory, next);
      snapshotGeneration = next;
    }
    syncDirectory(directory);
    generation = next;
    for (Map.Entry<Long, Path> old : files(directory, "journal").entrySet()) {
      if (old.getKey() != next) Files.deleteIfExists(old.getValue());
    }
    for (Map.Entry<Long, Path> old : files(directory, "snapshot").entrySet()) {
      if (old.getKey() != snapshotGeneration) Files.deleteIfExists(old.getValue());
    }
  }

  /** Compacts when the journal has grown large beside the snapshot; called with no lock held. */
  private void compactIfLarge() {
    long limit = Math.max(compactMinimumBytes, COMPACT_RATIO * snapshotBytes);
    if (journal.written() - journal.start() < limit || !compacting.compareAndSet(false, true)) return;
    writes.writeLock().lock();
    try {
      rotate(true);
    } catch (IOException e) {
      // The journal still holds everything: a failed compaction loses nothing, it is only retried.
      System.err.println("local-mongo: compacting the journal failed: " + e);
    } finally {
      writes.writeLock().unlock();
      compacting.set(false);
    }
  }

  private static String fileName(String kind, long generation) {
    return String.format(Locale.ROOT, "%s-%06d.bson", kind, generation);
  }

  /** mongo-java-server reports every insert, update and delete to its backend's oplog field. */
  private static void installOplog(AbstractMongoBackend backend, Oplog oplog) {
    try {
      Field field = AbstractMongoBackend.class.getDeclaredField("oplog");
      field.setAccessible(true);
      field.set(backend, oplog);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("mongo-java-server no longer has the oplog field this launcher uses", e);
    }
  }

  private static void syncDirectory(Path directory) throws IOException {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  // ---- recording, called by IsolatedBackend under the database's write lock ----

  @Override
  public void begin() {
    writes.readLock().lock();
    current.set(new Effects());
  }

  @Override
  public long end(String database, String command, Document query, Document answer) {
    try {
      return record(database, command, query, answer);
    } finally {
      writes.readLock().unlock();
    }
  }

  private long record(String database, String command, Document query, Document answer) {
    Effects effects = current.get();
    current.remove();
    if (effects == null) effects = new Effects();
    String name = command.toLowerCase(Locale.ROOT);
    Object target = query.get(command);
    String collection = target instanceof String ? (String) target : null;
    List<Document> records = new ArrayList<>();
    switch (name) {
      case "insert", "update", "delete" -> {
        // Thrown rather than reported per statement: how much was applied is unknown.
        if (answer == null || (name.equals("update") && failedPartWay(query, answer))) {
          effects.images.add(database + "." + collection);
        }
      }
      case "findandmodify" -> {
        // Failed: one document, checked before anything was changed.
        if (answer == null) break;
        Object value = answer.get("value");
        if (value instanceof Document && ((Document) value).containsKey("_id")) {
          effects.touch(database + "." + collection, ((Document) value).get("_id"));
        } else if (value != null || isTrue(query.get("upsert"))) {
          // An upsert answered with the document before it (null), or a projection without _id.
          effects.images.add(database + "." + collection);
        }
      }
      case "aggregate" -> {
        String output = outputCollection(query);
        if (output != null) effects.images.add(database + "." + output);
      }
      default -> {
        if (answer != null && isTrue(answer.get("ok"))) {
          records.add(new Document("op", "command").append("db", database).append("command", asSent(query)));
        } else if (collection != null && (name.equals("createindexes") || name.equals("dropindexes"))) {
          effects.images.add(database + "." + collection);
        }
      }
    }
    for (Touched touched : effects.touched) {
      if (effects.images.contains(touched.namespace)) continue;
      String db = databaseOf(touched.namespace);
      String coll = collectionOf(touched.namespace);
      MongoCollection<?> stored = collection(db, coll, false);
      Document document = stored == null ? null : byId(stored, touched.id);
      records.add(
          document != null
              ? new Document("op", "put").append("db", db).append("coll", coll).append("doc", document)
              : new Document("op", "delete").append("db", db).append("coll", coll).append("id", touched.id));
    }
    for (String namespace : effects.images) {
      image(databaseOf(namespace), collectionOf(namespace), batch -> records.addAll(batch));
    }
    return journal.append(records);
  }

  @Override
  public void awaitWritten(long position) {
    // A position from a journal compaction has since replaced is written already.
    journal.awaitWritten(position);
    compactIfLarge();
  }

  @Override
  public void close() throws IOException {
    journal.close();
  }

  /** Whether an update statement with {@code multi} failed: the documents before it stay changed. */
  private static boolean failedPartWay(Document query, Document answer) {
    if (!(answer.get("writeErrors") instanceof List<?> errors)) return false;
    List<?> updates = (List<?>) query.get("updates");
    for (Object error : errors) {
      int index = ((Number) ((Document) error).get("index")).intValue();
      if (updates != null && index < updates.size() && isTrue(((Document) updates.get(index)).get("multi"))) {
        return true;
      }
    }
    return false;
  }

  /** The collection an aggregation's {@code $out} or {@code $merge} writes, or null. */
  static String outputCollection(Document query) {
    if (!(query.get("pipeline") instanceof List<?> pipeline) || pipeline.isEmpty()) return null;
    if (!(pipeline.get(pipeline.size() - 1) instanceof Document last)) return null;
    Object out = last.containsKey("$out") ? last.get("$out") : last.get("$merge");
    if (out instanceof Document options) out = options.containsKey("into") ? options.get("into") : options.get("coll");
    if (out instanceof Document into) out = into.get("coll");
    return out instanceof String ? (String) out : null;
  }

  /** The command without the driver's session and routing fields, which a replay must not resend. */
  private static Document asSent(Document query) {
    Document command = new Document();
    for (Map.Entry<String, Object> entry : query.entrySet()) {
      if (entry.getKey().startsWith("$") || entry.getKey().equals("lsid")) continue;
      command.put(entry.getKey(), entry.getValue());
    }
    return command;
  }

  /** The records that recreate a collection as it is: its indexes, then its documents, in batches. */
  private void image(String database, String collection, java.util.function.Consumer<List<Document>> out) {
    MongoCollection<?> stored = collection(database, collection, false);
    if (stored == null) {
      // Gone (dropped by the failed command, or never made): make sure a replay drops it too.
      out.accept(List.of(new Document("op", "drop").append("db", database).append("coll", collection)));
      return;
    }
    List<Document> indexes = new ArrayList<>();
    Document listed = run(database, new Document("listIndexes", collection));
    for (Object index : firstBatch(listed)) {
      Document spec = (Document) index;
      if (!"_id_".equals(spec.get("name"))) indexes.add(spec);
    }
    List<Document> batch = new ArrayList<>();
    batch.add(
        new Document("op", "collection").append("db", database).append("coll", collection).append("indexes", indexes));
    for (Document document : stored.queryAll()) {
      batch.add(new Document("op", "put").append("db", database).append("coll", collection).append("doc", document));
      if (batch.size() >= SNAPSHOT_BATCH) {
        out.accept(batch);
        batch = new ArrayList<>();
      }
    }
    out.accept(batch);
  }

  /** Writes the whole state as snapshot {@code generation}; returns its size. */
  private long writeSnapshot(Path directory, long generation) throws IOException {
    Path temporary = directory.resolve(fileName("snapshot", generation) + ".tmp");
    Files.deleteIfExists(temporary);
    try (Journal snapshot = Journal.create(temporary)) {
      Document databases = run("admin", new Document("listDatabases", 1));
      for (Object listed : (List<?>) databases.get("databases")) {
        String database = (String) ((Document) listed).get("name");
        if (database.equals("admin")) continue;
        for (Object collection : firstBatch(run(database, new Document("listCollections", 1)))) {
          image(database, (String) ((Document) collection).get("name"), batch -> snapshot.awaitWritten(snapshot.append(batch)));
        }
      }
    }
    Path snapshot = directory.resolve(fileName("snapshot", generation));
    Files.move(temporary, snapshot, StandardCopyOption.ATOMIC_MOVE);
    return Files.size(snapshot);
  }

  // ---- replay, single-threaded before the server listens ----

  /** Applies one record to the backend. */
  void apply(Document record) {
    String db = (String) record.get("db");
    String coll = (String) record.get("coll");
    switch ((String) record.get("op")) {
      case "put" -> {
        Document document = (Document) record.get("doc");
        MongoCollection<?> stored = collection(db, coll, true);
        Document existing = byId(stored, document.get("_id"));
        if (existing != null) stored.removeDocument(existing);
        stored.addDocument(document);
      }
      case "delete" -> {
        MongoCollection<?> stored = collection(db, coll, false);
        Document existing = stored == null ? null : byId(stored, record.get("id"));
        if (existing != null) stored.removeDocument(existing);
      }
      case "drop" -> {
        if (collection(db, coll, false) != null) run(db, new Document("drop", coll));
      }
      case "collection" -> {
        if (collection(db, coll, false) != null) run(db, new Document("drop", coll));
        run(db, new Document("create", coll));
        List<?> indexes = (List<?>) record.get("indexes");
        if (!indexes.isEmpty()) run(db, new Document("createIndexes", coll).append("indexes", indexes));
      }
      case "command" -> run(db, (Document) record.get("command"));
      default -> throw new IllegalStateException("unknown journal record " + record);
    }
  }

  /** Runs a command on the backend, failing loudly: a replayed command succeeded the first time. */
  private Document run(String database, Document command) {
    String name = command.keySet().iterator().next();
    Document answer = backend.handleCommand(replayChannel, database, name, command);
    if (!isTrue(answer.get("ok"))) throw new IllegalStateException("replaying " + command + " failed: " + answer);
    return answer;
  }

  private static List<?> firstBatch(Document answer) {
    return (List<?>) ((Document) answer.get("cursor")).get("firstBatch");
  }

  private MongoCollection<?> collection(String database, String collection, boolean create) {
    MongoDatabase db = backend.resolveDatabase(database);
    MongoCollection<?> stored = db.resolveCollection(collection, false);
    if (stored == null && create) stored = db.createCollectionOrThrowIfExists(collection);
    return stored;
  }

  private static Document byId(MongoCollection<?> collection, Object id) {
    // A document _id whose first key starts with $ would read as an operator.
    boolean operatorLike = id instanceof Document && ((Document) id).keySet().stream().anyMatch(k -> k.startsWith("$"));
    Document query = new Document("_id", operatorLike ? new Document("$eq", id) : id);
    for (Document document : collection.handleQuery(query, 0, 1)) return document;
    return null;
  }

  private static boolean isTrue(Object value) {
    return value instanceof Boolean ? (Boolean) value : value instanceof Number && ((Number) value).doubleValue() != 0;
  }

  private static String databaseOf(String namespace) {
    return namespace.substring(0, namespace.indexOf('.'));
  }

  private static String collectionOf(String namespace) {
    return namespace.substring(namespace.indexOf('.') + 1);
  }

  // ---- what one write command touched ----

  private record Touched(String namespace, Object id) {}

  private static final class Effects {
    final Set<Touched> touched = new LinkedHashSet<>();
    final Set<String> images = new LinkedHashSet<>();

    void touch(String namespace, Object id) {
      if (id != null) touched.add(new Touched(namespace, id));
    }
  }

  /** mongo-java-server's change feed, kept only as "which documents did this command touch". */
  private final class Capture implements Oplog {
    private void touch(String namespace, List<?> ids) {
      Effects effects = current.get();
      if (effects == null) return;
      for (Object id : ids) effects.touch(namespace, id);
    }

    @Override
    public void handleInsert(String namespace, List<Document> documents) {
      List<Object> ids = new ArrayList<>();
      // Documents never inserted (an ordered insert stopped early) may have no _id: skipped.
      for (Document document : documents) ids.add(document.get("_id"));
      touch(namespace, ids);
    }

    @Override
    public void handleUpdate(String namespace, Document selector, Document query, List<Object> modifiedIds) {
      touch(namespace, modifiedIds);
    }

    @Override
    public void handleDelete(String namespace, Document query, List<Object> deletedIds) {
      touch(namespace, deletedIds);
    }

    @Override
    public void handleDropCollection(String namespace) {
      // Recorded from the command that dropped it (drop, dropDatabase, renameCollection).
    }

    @Override
    public Cursor createCursor(Document changeStreamDocument, String namespace, Aggregation aggregation) {
      return NoopOplog.get().createCursor(changeStreamDocument, namespace, aggregation);
    }
  }
}
