package ws

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
)

// Buffer sizes of an upgraded connection. net/http hands a hijacked connection over with its own
// 4 KiB read and 4 KiB write buffers, which coder/websocket keeps for the connection's life; an
// idle connection would spend most of its memory on them. Client frames are a few dozen bytes
// (pings), and an event's frame fits in writeBufferSize (a larger one is written in two parts).
const (
	readBufferSize  = 256
	writeBufferSize = 1 << 10
)

// leanWriter is the handshake's http.ResponseWriter, whose Hijack gives the upgraded connection
// small buffers (readBufferSize, writeBufferSize) instead of net/http's.
type leanWriter struct{ http.ResponseWriter }

// Unwrap returns the http.ResponseWriter it wraps (for http.ResponseController).
func (w leanWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack takes the connection over from net/http and returns it with small buffers. Bytes the
// client sent after the handshake, which net/http has read already, are the first the new reader
// gives; net/http flushed the handshake's response before handing the connection over, and
// anything still in its write buffer is flushed here.
func (w leanWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	if err := brw.Writer.Flush(); err != nil {
		_ = nc.Close()
		return nil, nil, err
	}
	n := brw.Reader.Buffered()
	var src io.Reader = nc
	if n > 0 {
		early, _ := brw.Reader.Peek(n)
		src = io.MultiReader(bytes.NewReader(bytes.Clone(early)), nc)
	}
	br := bufio.NewReaderSize(src, max(readBufferSize, n))
	if n > 0 {
		// Into the new buffer, where a caller that looks at Buffered (coder/websocket does) finds
		// them; the first read of src gives all n, so this does not wait for the network.
		if _, err := br.Peek(n); err != nil {
			_ = nc.Close()
			return nil, nil, err
		}
	}
	return nc, bufio.NewReadWriter(br, bufio.NewWriterSize(nc, writeBufferSize)), nil
}
