package asynq

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/hibiken/asynq"
)

// logger adapts a slog.Logger to asynq.Logger.
type logger struct{ l *slog.Logger }

var _ asynq.Logger = logger{}

func (l logger) log(level slog.Level, args []any) {
	msg := fmt.Sprint(args...)
	// A scheduler made on a shared client complains at shutdown that it cannot close it; that is
	// by design here.
	if strings.Contains(msg, "connection is shared") {
		level = slog.LevelDebug
	}
	l.l.Log(context.Background(), level, "asynq: "+msg)
}

func (l logger) Debug(args ...any) { l.log(slog.LevelDebug, args) }
func (l logger) Info(args ...any)  { l.log(slog.LevelInfo, args) }
func (l logger) Warn(args ...any)  { l.log(slog.LevelWarn, args) }
func (l logger) Error(args ...any) { l.log(slog.LevelError, args) }
func (l logger) Fatal(args ...any) { l.log(slog.LevelError+4, args) }
