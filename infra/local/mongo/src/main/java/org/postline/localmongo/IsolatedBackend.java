package org.postline.localmongo;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.message.MongoMessage;
import de.bwaldvogel.mongo.wire.message.MongoQuery;
import io.netty.channel.Channel;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A mongo-java-server backend with MongoDB's single-document guarantees made whole, and every
 * acknowledged write made durable.
 *
 * <p>mongo-java-server 1.47 answers with the stored document objects themselves, encodes them after
 * its collection lock is released, and updates stored documents in place: a concurrent write can
 * change an answer after it was decided (a findAndModify reporting another writer's state) or
 * show a read a document half updated. Measured through the driver: 134 of 3,147 findAndModify
 * answers and 10 of 37,772 reads were wrong this way on H2. Here writes run one at a time under a
 * write lock, reads under a read lock, and every answer is deep-copied before the lock is released.
 *
 * <p>{@code afterWrite} runs after every write command, outside the lock and before the answer
 * goes out: the H2 store's commit. Writes that finish while one commit runs are taken by the next
 * (MVStore.commit waits for one in progress), so commits group under load.
 */
final class IsolatedBackend implements MongoBackend {
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
  private final Runnable afterWrite;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();

  IsolatedBackend(MongoBackend delegate, Runnable afterWrite) {
    this.delegate = delegate;
    this.afterWrite = afterWrite;
  }

  private static boolean isWrite(String command) {
    return WRITE_COMMANDS.contains(command.toLowerCase(Locale.ROOT));
  }

  private interface Call {
    Document run();
  }

  private Document isolated(String command, Call call) {
    boolean write = isWrite(command);
    var held = write ? lock.writeLock() : lock.readLock();
    Document answer;
    held.lock();
    try {
      answer = call.run().cloneDeeply();
    } finally {
      held.unlock();
      // Also after a failed write: part of a multi-document write may have been applied.
      if (write) afterWrite.run();
    }
    return answer;
  }

  @Override
  public Document handleMessage(MongoMessage message) {
    String command = message.getDocument().keySet().iterator().next();
    return isolated(command, () -> delegate.handleMessage(message));
  }

  @Override
  public Document handleCommand(Channel channel, String database, String command, Document query) {
    return isolated(command, () -> delegate.handleCommand(channel, database, command, query));
  }

  @Override
  public QueryResult handleQuery(MongoQuery query) {
    lock.readLock().lock();
    try {
      QueryResult result = delegate.handleQuery(query);
      List<Document> copies = new ArrayList<>();
      for (Document document : result) copies.add(document.cloneDeeply());
      return new QueryResult(copies, result.getCursorId());
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public void handleClose(Channel channel) {
    delegate.handleClose(channel);
  }

  @Override
  public void dropDatabase(String database) {
    lock.writeLock().lock();
    try {
      delegate.dropDatabase(database);
    } finally {
      lock.writeLock().unlock();
      afterWrite.run();
    }
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
