package org.postline.localmongo;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Postline's local stand-in for MongoDB: mongo-java-server on one port.
 *
 * <pre>
 * java -jar local-mongo.jar --port 27017 --backend journal --dir .postline/data/mongo
 * java -jar local-mongo.jar --port 0 --backend memory
 * </pre>
 *
 * Three things differ from mongo-java-server as shipped:
 * <ul>
 *   <li>Answers never share objects with the store, no read sees a write half done, and each
 *       database has its own lock (see {@link IsolatedBackend}).
 *   <li>{@code journal}: the memory backend, with every write's effect appended to a journal file
 *       before it is acknowledged, replayed at start (see {@link JournaledStore}). The append is a
 *       write to the file, not an fsync: an acknowledged write survives the death of this process
 *       (kill -9); a power cut may lose the last moments.
 *   <li>It declares MongoDB 4.4 (wire version 9), the oldest the MongoDB Node.js driver 7
 *       (mongoose 9) accepts; mongo-java-server 1.47 declares 4.2 (wire 8). Nothing the driver
 *       does differently for 4.4 is used by Postline; see infra/local/README.md.
 * </ul>
 */
public final class LocalMongo {
  /** The version this server declares to clients (see the class comment). */
  static final MongoVersion DECLARED_VERSION =
      new MongoVersion() {
        @Override
        public List<Integer> getVersionArray() {
          return List.of(4, 4, 0);
        }

        @Override
        public int getWireVersion() {
          return 9;
        }
      };

  public static void main(String[] args) throws Exception {
    // Quiet by default (mongo-java-server logs every connection at INFO); -D overrides.
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    String host = "127.0.0.1";
    int port = 27017;
    String backendName = "memory";
    String directory = null;
    long compactMb = 128;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--host" -> host = args[++i];
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--backend" -> backendName = args[++i];
        case "--dir" -> directory = args[++i];
        case "--compact-mb" -> compactMb = Long.parseLong(args[++i]);
        default -> usage("unknown argument " + args[i]);
      }
    }

    MongoBackend backend =
        switch (backendName) {
          case "memory" -> new IsolatedBackend(NarrowingBackends.memory(), IsolatedBackend.NONE);
          case "journal" -> {
            if (directory == null) usage("--backend journal needs --dir");
            Path path = Path.of(directory).toAbsolutePath();
            if (Files.exists(path.resolve("postline.mv.db"))) {
              System.err.println(
                  "local-mongo: " + path.resolve("postline.mv.db") + " is the H2 file of an older launcher:"
                      + " its data is not read (the file storage is a journal now); delete it to start afresh.");
            }
            MemoryBackend memory = NarrowingBackends.memory();
            yield new IsolatedBackend(memory, JournaledStore.open(memory, path, compactMb << 20));
          }
          default -> throw usage("unknown backend " + backendName);
        };
    backend.version(DECLARED_VERSION);

    MongoServer server = new MongoServer(backend);
    server.bind(host, port);
    System.out.println("local-mongo (" + backendName + ") listening on " + server.getLocalAddress());

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  // shutdownNow() closes the backend too, which writes and closes the journal.
                  server.shutdownNow();
                  stopped.countDown();
                }));
    stopped.await();
  }

  private static IllegalArgumentException usage(String problem) {
    System.err.println(problem);
    System.err.println(
        "usage: local-mongo [--host 127.0.0.1] [--port 27017] [--backend memory|journal] [--dir PATH] [--compact-mb 128]");
    System.exit(2);
    return new IllegalArgumentException(problem);
  }

  private LocalMongo() {}
}
