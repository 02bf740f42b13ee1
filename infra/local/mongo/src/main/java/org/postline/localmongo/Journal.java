package org.postline.localmongo;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * An append-only file of BSON records, written with group commit.
 *
 * <p>Format (version 1): a header record {@code {journal: "postline-local-mongo", version: 1}},
 * then records; each record is one BSON document followed by the CRC32C of its bytes (4 bytes,
 * little endian). A reader stops at the first record that is incomplete or fails its checksum: the
 * tail a crash cut short, never acknowledged (see {@link #awaitWritten}).
 *
 * <p>Group commit: {@link #append} only queues a command's records in memory (called under its
 * database's lock, so the file's order is the order writes were applied); {@link #awaitWritten},
 * called before the answer goes out, writes everything queued so far with one {@code write} if no
 * other thread is writing, or waits for the writer that took its records. A write reaches the
 * operating system, not the disk: the database process may die at any moment without losing an
 * acknowledged write; a power cut may lose what the kernel had not yet written back.
 */
final class Journal implements AutoCloseable {
  static final String FORMAT = "postline-local-mongo";
  static final int VERSION = 1;

  private final Path path;
  private final FileChannel channel;
  private byte[] pending = new byte[64 * 1024];
  private int pendingLength;
  /** Bytes queued since the file was opened, and bytes of them written. */
  private long start;
  private long appended;
  private long written;
  private boolean writing;

  private Journal(Path path, FileChannel channel) {
    this.path = path;
    this.channel = channel;
  }

  /** Creates a new journal file (which must not exist) with its header, on disk before it returns. */
  static Journal create(Path path) throws IOException {
    return create(path, 0);
  }

  /**
   * As {@link #create(Path)}, its positions continuing from {@code start} (the end of the journal it
   * follows), so a position taken from the one before is already written in this one.
   */
  static Journal create(Path path, long start) throws IOException {
    FileChannel channel =
        FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    Journal journal = new Journal(path, channel);
    journal.start = start;
    journal.appended = start;
    journal.written = start;
    journal.append(List.of(header()));
    journal.awaitWritten(journal.position());
    channel.force(true);
    return journal;
  }

  static Document header() {
    return new Document("journal", FORMAT).append("version", VERSION);
  }

  Path path() {
    return path;
  }

  /** Queues records; returns the position {@link #awaitWritten} needs for them. */
  synchronized long append(List<Document> records) {
    for (Document record : records) {
      byte[] bytes = encode(record);
      ensureCapacity(bytes.length + 4);
      System.arraycopy(bytes, 0, pending, pendingLength, bytes.length);
      CRC32C crc = new CRC32C();
      crc.update(bytes);
      ByteBuffer.wrap(pending, pendingLength + bytes.length, 4)
          .order(ByteOrder.LITTLE_ENDIAN)
          .putInt((int) crc.getValue());
      pendingLength += bytes.length + 4;
      appended += bytes.length + 4;
    }
    return appended;
  }

  /** Where this journal's positions begin (see {@link #create(Path, long)}). */
  long start() {
    return start;
  }

  /** Everything written so far. */
  synchronized long written() {
    return written;
  }

  /** Everything queued so far. */
  synchronized long position() {
    return appended;
  }

  /** Returns once everything queued up to {@code position} has been written to the file. */
  void awaitWritten(long position) {
    while (true) {
      ByteBuffer batch;
      long batchEnd;
      synchronized (this) {
        while (writing && written < position) waitUninterruptibly();
        if (written >= position) return;
        writing = true;
        batch = ByteBuffer.wrap(pending, 0, pendingLength);
        batchEnd = appended;
        pending = new byte[Math.max(64 * 1024, pendingLength)];
        pendingLength = 0;
      }
      try {
        while (batch.hasRemaining()) channel.write(batch);
      } catch (IOException e) {
        // The write is applied in memory and cannot be made durable: stop, as mongod does when
        // its journal cannot be written, rather than acknowledge what a restart would lose.
        System.err.println("local-mongo: cannot write the journal " + path + ": " + e);
        Runtime.getRuntime().halt(70);
      }
      synchronized (this) {
        writing = false;
        written = batchEnd;
        notifyAll();
      }
    }
  }

  long size() throws IOException {
    return channel.size();
  }

  @Override
  public void close() throws IOException {
    awaitWritten(position());
    channel.force(true);
    channel.close();
  }

  private void waitUninterruptibly() {
    try {
      wait();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void ensureCapacity(int more) {
    if (pendingLength + more <= pending.length) return;
    byte[] larger = new byte[Math.max(pending.length * 2, pendingLength + more)];
    System.arraycopy(pending, 0, larger, 0, pendingLength);
    pending = larger;
  }

  static byte[] encode(Document record) {
    ByteBuf buffer = Unpooled.buffer();
    try {
      BsonEncoder.encodeDocument(record, buffer);
      byte[] bytes = new byte[buffer.readableBytes()];
      buffer.readBytes(bytes);
      return bytes;
    } finally {
      buffer.release();
    }
  }

  /**
   * Reads a journal or snapshot file's records after its header, in order, and returns how many.
   * Stops at a record cut short or damaged: the unacknowledged tail of a crash. (Nothing is
   * appended to a file that was read: a start always begins a new journal.)
   */
  static long read(Path path, Consumer<Document> apply) throws IOException {
    long records = 0;
    long valid = 0;
    boolean first = true;
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = channel.size();
      ByteBuffer lengthBytes = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
      while (valid + 4 <= size) {
        lengthBytes.clear();
        readFully(channel, lengthBytes, valid);
        int length = lengthBytes.getInt(0);
        if (length < 5 || valid + length + 4 > size) break;
        ByteBuffer record = ByteBuffer.allocate(length + 4).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, record, valid);
        CRC32C crc = new CRC32C();
        crc.update(record.array(), 0, length);
        if ((int) crc.getValue() != record.getInt(length)) break;
        Document document = BsonDecoder.decodeBson(Unpooled.wrappedBuffer(record.array(), 0, length));
        valid += length + 4;
        if (first) {
          checkHeader(path, document);
          first = false;
          continue;
        }
        apply.accept(document);
        records++;
      }
      // A file whose header never reached it was cut short while being created: nothing in it
      // was ever acknowledged.
      if (first) return 0;
      if (valid < size) {
        System.err.println(
            "local-mongo: " + path + ": ignoring " + (size - valid) + " bytes of an unfinished write");
      }
    }
    return records;
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, position + buffer.position()) < 0) throw new IOException("unexpected end of file");
    }
  }

  private static void checkHeader(Path path, Document header) throws IOException {
    if (!FORMAT.equals(header.get("journal")) || !Integer.valueOf(VERSION).equals(header.get("version"))) {
      throw new IOException(path + " is not a version " + VERSION + " local-mongo journal: " + header);
    }
  }
}
