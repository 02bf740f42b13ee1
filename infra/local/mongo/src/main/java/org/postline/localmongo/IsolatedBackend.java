package org.postline.localmongo;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.message.MongoMessage;
import de.bwaldvogel.mongo.wire.message.MongoQuery;
import io.netty.channel.Channel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A mongo-java-server backend with MongoDB's single-document guarantees made whole, a lock per
 * database, and every acknowledged write made durable.
 *
 * <p>mongo-java-server 1.47 answers with the stored document objects themselves, encodes them after
 * its collection lock is released, and updates stored documents in place: a concurrent write can
 * change an answer after it was decided (a findAndModify reporting another writer's state) or
 * show a read a document half updated. Measured through the driver: 134 of 3,147 findAndModify
 * answers and 10 of 37,772 reads were wrong this way on H2. Here a database's writes run one at a
 * time under its write lock, its reads under its read lock, and every answer is deep-copied before
 * the lock is released. Each database has its own lock, as each Postline service has its own
 * database: one service's writes never wait for another's. A command that names two databases
 * ({@code renameCollection} across them) takes both locks, in name order.
 *
 * <p>{@link Durability} records each write command's effect under the lock, and the answer goes
 * out only once that record is written (outside the lock, so writes made meanwhile are written
 * with it: group commit).
 */
final class IsolatedBackend implements MongoBackend {
  /** How a write is made durable; {@link #NONE} for the memory backend. */
  interface Durability {
    /** Under the database's write lock, before a write command runs. */
    void begin();

    /**
     * Under the lock, after the command ran ({@code answer} is null if it threw): records its
     * effect and returns the position to pass to {@link #awaitWritten}.
     */
    long end(String database, String command, Document query, Document answer);

    /** With no lock held: returns once everything recorded up to {@code position} is written. */
    void awaitWritten(long position);

    void close() throws IOException;
  }

  static final Durability NONE =
      new Durability() {
        @Override
        public void begin() {}

        @Override
        public long end(String database, String command, Document query, Document answer) {
          return 0;
        }

        @Override
        public void awaitWritten(long position) {}

        @Override
        public void close() {}
      };

  /** Commands that change data (lower case). */
  private static final Set<String> WRITE_COMMANDS =
      Set.of(
          "insert",
          "update",
          "delete",
          "findandmodify",
          "create",
          "createindexes",
          "drop",
          "dropindexes",
          "dropdatabase",
          "renamecollection");

  private final MongoBackend delegate;
  private final Durability durability;
  private final ConcurrentMap<String, ReadWriteLock> locks = new ConcurrentHashMap<>();

  IsolatedBackend(MongoBackend delegate, Durability durability) {
    this.delegate = delegate;
    this.durability = durability;
  }

  private static boolean isWrite(String command, Document query) {
    String name = command.toLowerCase(Locale.ROOT);
    return WRITE_COMMANDS.contains(name)
        || (name.equals("aggregate") && JournaledStore.outputCollection(query) != null);
  }

  /** The databases a command works on: its own, or both ends of a rename. */
  private static List<String> databasesOf(String database, String command, Document query) {
    if (command.equalsIgnoreCase("renameCollection")) {
      Set<String> both = new TreeSet<>();
      both.add(databaseOf(String.valueOf(query.get(command))));
      both.add(databaseOf(String.valueOf(query.get("to"))));
      return new ArrayList<>(both);
    }
    return List.of(database);
  }

  private static String databaseOf(String namespace) {
    int dot = namespace.indexOf('.');
    return dot < 0 ? namespace : namespace.substring(0, dot);
  }

  private interface Call {
    Document run();
  }

  private Document isolated(String database, String command, Document query, Call call) {
    boolean write = isWrite(command, query);
    List<Lock> held = new ArrayList<>();
    for (String name : databasesOf(database, command, query)) {
      ReadWriteLock lock = locks.computeIfAbsent(name, n -> new ReentrantReadWriteLock());
      held.add(write ? lock.writeLock() : lock.readLock());
    }
    long position = 0;
    held.forEach(Lock::lock);
    try {
      if (!write) return call.run().cloneDeeply();
      durability.begin();
      Document answer = null;
      try {
        answer = call.run().cloneDeeply();
        return answer;
      } finally {
        // Also after a failed write: part of a multi-document write may have been applied.
        position = durability.end(database, command, query, answer);
      }
    } finally {
      for (int i = held.size() - 1; i >= 0; i--) held.get(i).unlock();
      if (write) durability.awaitWritten(position);
    }
  }

  @Override
  public Document handleMessage(MongoMessage message) {
    Document query = message.getDocument();
    String command = query.keySet().iterator().next();
    return isolated(message.getDatabaseName(), command, query, () -> delegate.handleMessage(message));
  }

  @Override
  public Document handleCommand(Channel channel, String database, String command, Document query) {
    return isolated(database, command, query, () -> delegate.handleCommand(channel, database, command, query));
  }

  @Override
  public QueryResult handleQuery(MongoQuery query) {
    Lock lock = locks.computeIfAbsent(query.getDatabaseName(), n -> new ReentrantReadWriteLock()).readLock();
    lock.lock();
    try {
      QueryResult result = delegate.handleQuery(query);
      List<Document> copies = new ArrayList<>();
      for (Document document : result) copies.add(document.cloneDeeply());
      return new QueryResult(copies, result.getCursorId());
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void dropDatabase(String database) {
    Document command = new Document("dropDatabase", 1);
    isolated(
        database,
        "dropDatabase",
        command,
        () -> {
          delegate.dropDatabase(database);
          return new Document("ok", 1.0);
        });
  }

  @Override
  public void handleClose(Channel channel) {
    delegate.handleClose(channel);
  }

  @Override
  public Collection<Document> getCurrentOperations(MongoQuery query) {
    return delegate.getCurrentOperations(query);
  }

  @Override
  public Document getServerStatus() {
    return delegate.getServerStatus();
  }

  @Override
  public void close() {
    delegate.close();
    try {
      durability.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void closeCursors(List<Long> cursorIds) {
    delegate.closeCursors(cursorIds);
  }

  @Override
  public Clock getClock() {
    return delegate.getClock();
  }

  @Override
  public void enableOplog() {
    delegate.enableOplog();
  }

  @Override
  public void disableOplog() {
    delegate.disableOplog();
  }

  @Override
  public MongoDatabase resolveDatabase(String database) {
    return delegate.resolveDatabase(database);
  }

  @Override
  public MongoBackend version(MongoVersion version) {
    delegate.version(version);
    return this;
  }
}
