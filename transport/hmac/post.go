package hmac

import (
	"io"
	"mime"
	"net/http"

	"github.com/tradecoach/coach"
)

// ReadJSONPost admits one call of a signed JSON route, as the AI-coach service's routes are: a
// POST whose Content-Type is application/json, whose body is at most maxBody bytes (the
// verifier's own bound applies too), and whose signature v accepts. It returns the id of the key
// that signed the request and the body, read whole.
//
// A refusal is a *RequestError whose Status is the one to answer: 405 for another method (with
// the Allow header set on w), 415 for another content type, 413 for a body over maxBody, or
// Verify's own (401 with a Reason, 413, 503). Only a Verifier not built by NewVerifier gives
// another error, EINVALID.
func (v *Verifier) ReadJSONPost(w http.ResponseWriter, r *http.Request, maxBody int64) (keyID string, body []byte, err error) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return "", nil, &RequestError{Status: http.StatusMethodNotAllowed, Err: coach.Errorf(coach.EINVALID, "use POST")}
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return "", nil, &RequestError{Status: http.StatusUnsupportedMediaType, Err: coach.Errorf(coach.EINVALID, "Content-Type must be application/json")}
	}
	tooLarge := &RequestError{Status: http.StatusRequestEntityTooLarge, Err: coach.Errorf(coach.EINVALID, "body larger than %d bytes", maxBody)}
	if r.ContentLength > maxBody {
		return "", nil, tooLarge
	}
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	}
	if keyID, err = v.Verify(r.Context(), r); err != nil {
		return "", nil, err
	}
	if body, err = io.ReadAll(r.Body); err != nil { // Verify left the body in memory
		return "", nil, &RequestError{Status: http.StatusBadRequest, Err: coach.Errorf(coach.EINVALID, "body unreadable")}
	}
	if int64(len(body)) > maxBody {
		return "", nil, tooLarge
	}
	return keyID, body, nil
}
