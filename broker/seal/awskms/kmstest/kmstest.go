// Package kmstest is a fake AWS KMS over HTTP for tests: it speaks the KMS JSON protocol
// (awsJson1_1, X-Amz-Target TrentService.<Operation>) for Encrypt and Decrypt, with symmetric
// keys it holds in memory, and counts the calls by operation and key. Point the SDK's
// BaseEndpoint at Server.URL (with any static credentials: signatures are not checked).
package kmstest

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
)

// Server is a fake KMS. Build it with New; Close it when done.
type Server struct {
	*httptest.Server

	mu       sync.Mutex
	keys     map[string]cipher.AEAD // by key ARN
	aliases  map[string]string      // alias name → key ARN
	disabled map[string]bool
	calls    map[string]int // "Operation key-ARN"
}

// Region and Account are those of every key's ARN.
const (
	Region  = "us-east-1"
	Account = "111122223333"
)

// New starts a fake KMS holding a key for each of names; a key is reached by its ARN
// (KeyARN(name)), its id (name) or the alias "alias/"+name.
func New(names ...string) *Server {
	s := &Server{keys: map[string]cipher.AEAD{}, aliases: map[string]string{}, disabled: map[string]bool{}, calls: map[string]int{}}
	for _, n := range names {
		key := make([]byte, 32)
		_, _ = rand.Read(key)
		block, _ := aes.NewCipher(key)
		aead, _ := cipher.NewGCM(block)
		s.keys[KeyARN(n)] = aead
		s.aliases["alias/"+n] = KeyARN(n)
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// KeyARN is the ARN of the key named name.
func KeyARN(name string) string { return "arn:aws:kms:" + Region + ":" + Account + ":key/" + name }

// Disable makes the key answer DisabledException, as KMS does for a disabled key.
func (s *Server) Disable(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.disabled[KeyARN(name)] = true
}

// PointAlias moves alias/from to the key named to.
func (s *Server) PointAlias(from, to string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.aliases["alias/"+from] = KeyARN(to)
}

// Calls returns how many times op ("Encrypt", "Decrypt") was answered for the key named name.
func (s *Server) Calls(op, name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op+" "+KeyARN(name)]
}

// AllCalls returns every counted call, "Operation key-ARN" → count.
func (s *Server) AllCalls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.calls)
}

type request struct {
	KeyID             string            `json:"KeyId"`
	Plaintext         []byte            `json:"Plaintext"`
	CiphertextBlob    []byte            `json:"CiphertextBlob"`
	EncryptionContext map[string]string `json:"EncryptionContext"`
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "TrentService.")
	if r.Method != http.MethodPost || !ok {
		fail(w, http.StatusBadRequest, "UnknownOperationException", "want POST with X-Amz-Target TrentService.*")
		return
	}
	var req request
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		fail(w, http.StatusBadRequest, "SerializationException", "malformed body")
		return
	}
	switch op {
	case "Encrypt":
		s.encrypt(w, req)
	case "Decrypt":
		s.decrypt(w, req)
	default:
		fail(w, http.StatusBadRequest, "UnknownOperationException", "the fake answers Encrypt and Decrypt only")
	}
}

// resolve returns the ARN of a key id, ARN or alias, or "".
func (s *Server) resolve(id string) string {
	if i := strings.Index(id, ":alias/"); i >= 0 {
		id = id[i+1:]
	}
	if arn, ok := s.aliases[id]; ok {
		return arn
	}
	if _, ok := s.keys[id]; ok {
		return id
	}
	if _, ok := s.keys[KeyARN(id)]; ok {
		return KeyARN(id)
	}
	return ""
}

// The blob is: 2-byte ARN length ‖ ARN ‖ nonce ‖ sealed plaintext; the context is the AAD.
func contextAAD(c map[string]string) []byte {
	var b bytes.Buffer
	for _, k := range slices.Sorted(maps.Keys(c)) {
		b.WriteString(k + "\x00" + c[k] + "\x00")
	}
	return b.Bytes()
}

func (s *Server) encrypt(w http.ResponseWriter, req request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	arn := s.resolve(req.KeyID)
	switch {
	case arn == "":
		fail(w, http.StatusBadRequest, "NotFoundException", "key not found")
		return
	case s.disabled[arn]:
		fail(w, http.StatusBadRequest, "DisabledException", "key disabled")
		return
	case len(req.Plaintext) == 0 || len(req.Plaintext) > 4096:
		fail(w, http.StatusBadRequest, "ValidationException", "plaintext of 1 to 4096 bytes")
		return
	}
	s.calls["Encrypt "+arn]++
	aead := s.keys[arn]
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	blob := binary.BigEndian.AppendUint16(nil, uint16(len(arn))) // #nosec G115 -- ARNs are short
	blob = append(blob, arn...)
	blob = append(blob, nonce...)
	blob = aead.Seal(blob, nonce, req.Plaintext, contextAAD(req.EncryptionContext))
	answer(w, map[string]any{"CiphertextBlob": blob, "KeyId": arn, "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"})
}

func (s *Server) decrypt(w http.ResponseWriter, req request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	blob := req.CiphertextBlob
	if len(blob) < 2 || len(blob) < 2+int(binary.BigEndian.Uint16(blob)) {
		fail(w, http.StatusBadRequest, "InvalidCiphertextException", "")
		return
	}
	n := int(binary.BigEndian.Uint16(blob))
	arn, rest := string(blob[2:2+n]), blob[2+n:]
	aead, ok := s.keys[arn]
	switch {
	case !ok:
		fail(w, http.StatusBadRequest, "InvalidCiphertextException", "")
		return
	case req.KeyID != "" && s.resolve(req.KeyID) != arn:
		fail(w, http.StatusBadRequest, "IncorrectKeyException", "the ciphertext was encrypted under another key")
		return
	case s.disabled[arn]:
		fail(w, http.StatusBadRequest, "DisabledException", "key disabled")
		return
	case len(rest) < aead.NonceSize():
		fail(w, http.StatusBadRequest, "InvalidCiphertextException", "")
		return
	}
	plain, err := aead.Open(nil, rest[:aead.NonceSize()], rest[aead.NonceSize():], contextAAD(req.EncryptionContext))
	if err != nil {
		fail(w, http.StatusBadRequest, "InvalidCiphertextException", "")
		return
	}
	s.calls["Decrypt "+arn]++
	answer(w, map[string]any{"Plaintext": plain, "KeyId": arn, "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"})
}

func answer(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(v)
}

// fail answers a KMS error: the status, the error type in the header and the body's __type.
func fail(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", typ)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}
