// Command ferretdb runs FerretDB 1.x (MongoDB wire protocol over SQLite) for
// local development and tests. It uses FerretDB's embedding package because a
// plain `go install` of FerretDB's own command refuses to start without the
// version files only FerretDB's release build generates. Telemetry is off in
// the embedded package.
package main

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to serve the MongoDB wire protocol on")
	dataDir := flag.String("data", "data/ferretdb", "directory holding the SQLite database files")
	logLevel := flag.String("log-level", "warn", "log level: debug, info, warn or error")
	// FerretDB runs SQLite in WAL mode; with synchronous=normal a commit is
	// durable against a crash of any process, and only a power loss can drop
	// the last commits. Right for local development and tests, and it spares
	// an fsync per write (full is SQLite's default).
	synchronous := flag.String("sqlite-synchronous", "normal", "SQLite synchronous pragma: off, normal, full or extra")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fail("invalid -log-level", err)
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	dir, err := filepath.Abs(*dataDir)
	if err != nil {
		fail("invalid -data", err)
	}
	if err = os.MkdirAll(dir, 0o755); err != nil {
		fail("cannot create data directory", err)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/?_pragma=synchronous(" + *synchronous + ")",
	})
	if err != nil {
		fail("cannot configure FerretDB", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	logger.Info("ferretdb listening", "uri", f.MongoDBURI(), "data", dir)
	f.Run(ctx)
}

func fail(msg string, err error) {
	slog.Error(msg, "error", err)
	os.Exit(1)
}
