package web

import "io/fs"

// StaticFiles exposes the embedded static files to the budget test.
func StaticFiles() fs.FS { return staticFS }
